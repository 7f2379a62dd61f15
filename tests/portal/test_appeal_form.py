import os
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.portal.conftest import fake_png_upload, png_upload
from tickets.models import Attachment, Channel, Message, Status, Ticket

TEXT = "Не приходит СМС с кодом подтверждения при входе в личный кабинет"


def media_files() -> list[str]:
    return [os.path.join(path, name) for path, _dirs, names in os.walk(settings.MEDIA_ROOT) for name in names]


@pytest.fixture
def signed_in(client, citizen_a):
    client.force_login(citizen_a)
    return client


def appeal_data(topic, **changes):
    data = {
        "category": topic.pk,
        "text": TEXT,
        "rating": "",
        "contact_email": "alice@example.ru",
        "contact_phone": "",
    }
    data.update(changes)
    return data


def assert_field_error(response, field: str) -> None:
    """The error sits next to the field, which is marked invalid and points at it."""
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    widget = re.search(rf'<(?:input|select|textarea)[^>]*name="{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in widget
    assert f"id_{field}_error" in widget


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("portal:appeal_create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_form_is_prefilled_with_the_citizens_contacts(signed_in, account_category):
    html = signed_in.get(reverse("portal:appeal_create")).content.decode()
    assert 'value="alice@example.ru"' in html
    assert 'value="+79161234567"' in html
    assert "data-kb-suggest" in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.django_db
def test_the_length_hint_is_in_the_readers_language(signed_in, account_category):
    english = signed_in.get(reverse("portal:appeal_create"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    russian = signed_in.get(reverse("portal:appeal_create"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "From 20 to 500 characters." in english
    assert "От 20 до 500 символов." in russian


@pytest.mark.django_db
def test_faq_suggestions_script_is_included_only_when_it_exists(signed_in, account_category, monkeypatch):
    from tickets import views_portal

    monkeypatch.setattr(views_portal.finders, "find", lambda path: "/somewhere/kb_suggest.js")
    assert "js/kb_suggest.js" in signed_in.get(reverse("portal:appeal_create")).content.decode()
    monkeypatch.setattr(views_portal.finders, "find", lambda path: None)
    assert "js/kb_suggest.js" not in signed_in.get(reverse("portal:appeal_create")).content.decode()


@pytest.mark.django_db
def test_citizen_files_an_appeal_with_a_file_and_sees_its_number_and_due_time(
    signed_in, citizen_a, account_category, form_policy
):
    response = signed_in.post(
        reverse("portal:appeal_create"), appeal_data(account_category, rating="4", files=[png_upload()])
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:appeal_created", args=[ticket.number])
    assert (ticket.citizen, ticket.channel, ticket.status, ticket.initial_rating) == (
        citizen_a,
        Channel.FORM,
        Status.ACCEPTED,
        4,
    )
    assert Attachment.objects.get().ticket == ticket
    page = signed_in.get(response.url).content.decode()
    assert f'<p class="appeal-number">{ticket.number}</p>' in page
    assert f'datetime="{timezone.localtime(ticket.resolution_due).isoformat()}"' in page


@pytest.mark.django_db
def test_several_files_are_stored_on_the_same_appeal(signed_in, account_category, form_policy):
    files = [png_upload("one.png"), png_upload("two.png")]
    signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, files=files))
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["one.png", "two.png"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Слишком коротко", "х" * 501])
def test_text_out_of_bounds_is_explained_at_the_text_and_nothing_is_stored(signed_in, account_category, text):
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, text=text))
    assert response.status_code == 400
    assert_field_error(response, "text")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_really_a_png_is_refused_and_nothing_is_stored(signed_in, account_category):
    before = media_files()
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, files=[fake_png_upload()]))
    assert response.status_code == 400
    assert_field_error(response, "files")
    assert "virus.png" in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()
    assert media_files() == before


@pytest.mark.django_db
def test_files_over_five_megabytes_in_total_are_refused(signed_in, account_category):
    files = [png_upload("a.png", size=3 * 1024 * 1024), png_upload("b.png", size=3 * 1024 * 1024)]
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, files=files))
    assert response.status_code == 400
    assert_field_error(response, "files")
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_an_appeal_without_any_contact_asks_for_one(signed_in, account_category):
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, contact_email=""))
    assert response.status_code == 400
    assert_field_error(response, "contact_email")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("rating", ["0", "6", "five"])
def test_a_rating_outside_one_to_five_is_refused(signed_in, account_category, rating):
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, rating=rating))
    assert response.status_code == 400
    assert 'id="id_rating_error"' in response.content.decode()
    assert 'aria-describedby="id_rating_helptext id_rating_error"' in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_an_inactive_or_unknown_category_is_refused(signed_in, account_category):
    account_category.is_active = False
    account_category.save()
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category))
    assert_field_error(response, "category")
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, category="999999"))
    assert_field_error(response, "category")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_bad_phone_is_refused_at_the_phone(signed_in, account_category):
    response = signed_in.post(reverse("portal:appeal_create"), appeal_data(account_category, contact_phone="abc"))
    assert_field_error(response, "contact_phone")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_another_citizen_cannot_open_the_success_page_of_my_appeal(client, citizen_b, make_appeal, citizen_a):
    ticket = make_appeal(citizen_a)
    client.force_login(citizen_b)
    assert client.get(reverse("portal:appeal_created", args=[ticket.number])).status_code == 404


def test_the_question_from_the_faq_or_the_bot_is_carried_into_the_form(client, citizen_a, account_category):
    client.force_login(citizen_a)
    response = client.get("/help/appeal/new/?text=Не+могу+войти+в+кабинет")
    assert "Не могу войти в кабинет" in response.content.decode()


def faq_search_of(citizen):
    from knowledgebase.services import search_log_record

    return search_log_record(
        query="пароль",
        lang="ru",
        category=None,
        source="page",
        results_count=0,
        top_article_id=None,
        top_score=0.0,
        visitor_key=f"u:{citizen.pk}",
    )


def test_an_appeal_after_a_faq_search_marks_that_search_as_not_settled(
    client, citizen_a, account_category, form_policy
):
    search = faq_search_of(citizen_a)
    client.force_login(citizen_a)
    client.post(
        "/help/appeal/new/",
        {
            "category": account_category.pk,
            "text": "Не могу войти в личный кабинет уже третий день подряд.",
            "contact_email": citizen_a.email,
            "kb_search": str(search.pk),
        },
    )
    search.refresh_from_db()
    assert search.followed_by == "appeal"


def test_an_appeal_naming_another_citizens_faq_search_leaves_it_alone(
    client, citizen_a, citizen_b, account_category, form_policy
):
    search = faq_search_of(citizen_b)
    client.force_login(citizen_a)
    response = client.post(
        "/help/appeal/new/",
        {
            "category": account_category.pk,
            "text": "Не могу войти в личный кабинет уже третий день подряд.",
            "contact_email": citizen_a.email,
            "kb_search": str(search.pk),
        },
    )
    assert response.status_code == 302 and Ticket.objects.filter(citizen=citizen_a).exists()
    search.refresh_from_db()
    assert search.followed_by == "" and search.followed_at is None
