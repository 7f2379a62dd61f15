from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tickets.models import Channel, Status
from tickets.services import ticket_transition


def listed_numbers(response) -> set[str]:
    return {ticket.number for ticket in response.context["page"].object_list}


@pytest.fixture
def signed_in(client, citizen_a):
    client.force_login(citizen_a)
    return client


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("portal:appeal_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_citizen_sees_every_own_appeal_of_any_channel_and_none_of_others(signed_in, citizen_a, citizen_b, make_appeal):
    form = make_appeal(citizen_a)
    chat = make_appeal(citizen_a, channel=Channel.CHAT, text="Здравствуйте")
    foreign = make_appeal(citizen_b)
    response = signed_in.get(reverse("portal:appeal_list"))
    assert listed_numbers(response) == {form.number, chat.number}
    assert foreign.number not in response.content.decode()


@pytest.mark.django_db
def test_the_list_shows_when_the_answer_is_due(signed_in, citizen_a, make_appeal):
    ticket = make_appeal(citizen_a)
    html = signed_in.get(reverse("portal:appeal_list")).content.decode()
    assert f'datetime="{timezone.localtime(ticket.resolution_due).isoformat()}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("shape", ["{number}", "{digits}", "  {number} "])
def test_search_finds_an_appeal_by_its_number_with_or_without_hyphen(signed_in, citizen_a, make_appeal, shape):
    wanted = make_appeal(citizen_a)
    make_appeal(citizen_a)
    query = shape.format(number=wanted.number, digits=wanted.number.replace("-", ""))
    assert listed_numbers(signed_in.get(reverse("portal:appeal_list"), {"q": query})) == {wanted.number}


@pytest.mark.django_db
def test_search_finds_an_appeal_by_its_text(signed_in, citizen_a, citizen_b, make_appeal):
    wanted = make_appeal(citizen_a, text="Не отображается справка о доходах в кабинете")
    make_appeal(citizen_a)
    make_appeal(citizen_b, text="Не отображается справка о доходах у соседа")
    response = signed_in.get(reverse("portal:appeal_list"), {"q": "справка"})
    assert listed_numbers(response) == {wanted.number}


@pytest.mark.django_db
def test_filters_by_status_and_channel(signed_in, citizen_a, make_appeal, operator_of_queue):
    accepted = make_appeal(citizen_a)
    in_progress = make_appeal(citizen_a)
    ticket_transition(ticket=in_progress, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    chat = make_appeal(citizen_a, channel=Channel.CHAT, text="Здравствуйте")
    url = reverse("portal:appeal_list")
    assert listed_numbers(signed_in.get(url, {"status": Status.IN_PROGRESS})) == {in_progress.number}
    assert listed_numbers(signed_in.get(url, {"channel": Channel.CHAT})) == {chat.number}
    both = signed_in.get(url, {"status": Status.ACCEPTED, "channel": Channel.FORM})
    assert listed_numbers(both) == {accepted.number}


@pytest.mark.django_db
def test_filters_by_date_range(signed_in, citizen_a, make_appeal):
    with time_machine.travel("2026-03-02 12:00 +03:00"):
        march = make_appeal(citizen_a)
    with time_machine.travel("2026-05-20 12:00 +03:00"):
        may = make_appeal(citizen_a)
    url = reverse("portal:appeal_list")
    assert listed_numbers(signed_in.get(url, {"date_from": "2026-04-01"})) == {may.number}
    assert listed_numbers(signed_in.get(url, {"date_to": "2026-03-02"})) == {march.number}
    window = {"date_from": "2026-03-01", "date_to": "2026-05-31"}
    assert listed_numbers(signed_in.get(url, window)) == {march.number, may.number}


@pytest.mark.django_db
def test_bad_filter_values_are_explained_and_do_not_break_the_page(signed_in, citizen_a, make_appeal):
    make_appeal(citizen_a)
    url = reverse("portal:appeal_list")
    response = signed_in.get(url, {"status": "deleted", "date_from": "yesterday"})
    assert response.status_code == 200
    assert 'id="id_status_error"' in response.content.decode()
    reversed_range = signed_in.get(url, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert 'id="id_date_to_error"' in reversed_range.content.decode()


@pytest.mark.django_db
def test_long_lists_are_paginated_and_keep_the_filters(signed_in, citizen_a, make_appeal):
    start = timezone.now()
    for minutes in range(12):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            make_appeal(citizen_a)
    url = reverse("portal:appeal_list")
    first = signed_in.get(url, {"channel": Channel.FORM})
    assert len(first.context["page"].object_list) == 10
    assert "channel=form&amp;page=2" in first.content.decode()
    second = signed_in.get(url, {"channel": Channel.FORM, "page": 2})
    assert len(second.context["page"].object_list) == 2
    assert listed_numbers(first).isdisjoint(listed_numbers(second))
    assert signed_in.get(url, {"page": "999"}).context["page"].number == 2
    assert signed_in.get(url, {"page": "x"}).context["page"].number == 1


@pytest.mark.django_db
def test_an_empty_list_says_so(signed_in):
    response = signed_in.get(reverse("portal:appeal_list"))
    assert response.status_code == 200
    assert not response.context["page"].object_list


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_number_of_appeals(
    signed_in, citizen_a, make_appeal, django_assert_max_num_queries
):
    make_appeal(citizen_a)
    with django_assert_max_num_queries(10) as one:
        signed_in.get(reverse("portal:appeal_list"))
    for _index in range(9):
        make_appeal(citizen_a)
    with django_assert_max_num_queries(len(one.captured_queries)):
        signed_in.get(reverse("portal:appeal_list"))
