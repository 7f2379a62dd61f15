"""Only supervisors reach the admin; every registered page opens for them."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from gosupport.models import AuditLog, BusinessCalendar, Consent, Notification, Role, User
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_admin_sign_in(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("persona", ["citizen_a", "operator_of_queue"])
def test_citizen_and_operator_cannot_reach_admin(request, admin_as, persona, make_ticket):
    ticket = make_ticket()
    client = admin_as(request.getfixturevalue(persona))
    for url in (reverse("admin:index"), reverse("admin:tickets_ticket_change", args=[ticket.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_operator_with_a_stray_staff_flag_still_cannot_reach_admin(admin_as, account_category):
    operator = OperatorFactory(username="stray", is_staff=True, is_superuser=True, profile__skills=[account_category])
    response = admin_as(operator).get(reverse("admin:index"))
    assert response.status_code == 302


def test_supervisor_opens_every_list_and_the_translated_title(admin_as, supervisor, make_ticket):
    make_ticket()
    client = admin_as(supervisor)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Help centre supervision" in response.content.decode()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


@pytest.fixture
def system_records(citizen_a, make_ticket):
    make_ticket()
    return {
        "notification": Notification.objects.first(),
        "auditlog": AuditLog.objects.create(action="read", object_type="gosupport.user", object_id=str(citizen_a.pk)),
        "consent": Consent.objects.create(user=citizen_a, version="1", purpose="appeals", given_at=timezone.now()),
    }


@pytest.mark.parametrize("model_name", ["notification", "auditlog", "consent"])
def test_records_of_the_system_are_read_only(admin_as, supervisor, system_records, model_name):
    record = system_records[model_name]
    client = admin_as(supervisor)
    change_url = reverse(f"admin:gosupport_{model_name}_change", args=[record.pk])
    assert client.get(change_url).status_code == 200
    assert client.get(reverse(f"admin:gosupport_{model_name}_add")).status_code == 403
    assert client.post(change_url, {"status": "sent", "action": "change", "version": "2"}).status_code == 403
    assert (
        client.post(reverse(f"admin:gosupport_{model_name}_delete", args=[record.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert type(record).objects.filter(pk=record.pk).exists()


def test_user_search_and_role_filter(admin_as, supervisor, citizen_a, operator_of_queue):
    client = admin_as(supervisor)
    url = reverse("admin:gosupport_user_changelist")
    found = client.get(url, {"q": "alice@example.ru"}).context["cl"].result_list
    assert list(found) == [citizen_a]
    operators = client.get(url, {"role__exact": "operator"}).context["cl"].result_list
    assert list(operators) == [operator_of_queue]


def test_calendar_change_form_has_exceptions_inline(admin_as, supervisor):
    client = admin_as(supervisor)
    response = client.post(
        reverse("admin:gosupport_businesscalendar_add"),
        {
            "name": "Москва",
            "timezone": "Europe/Moscow",
            "work_start": "09:00",
            "work_end": "18:00",
            "country": "RU",
            "exceptions-TOTAL_FORMS": "1",
            "exceptions-INITIAL_FORMS": "0",
            "exceptions-0-date": "2026-12-31",
            "exceptions-0-is_working": "",
            "exceptions-0-note": "Предпраздничный",
        },
    )
    assert response.status_code == 302
    assert BusinessCalendar.objects.get(name="Москва").exceptions.get().note == "Предпраздничный"


def test_supervisor_adds_an_operator_account_with_a_role(admin_as, supervisor):
    response = admin_as(supervisor).post(
        reverse("admin:gosupport_user_add"),
        {
            "username": "new-operator",
            "role": "operator",
            "email": "new-operator@example.ru",
            "usable_password": "true",
            "password1": "Vr3mya-otvechat!",
            "password2": "Vr3mya-otvechat!",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="new-operator").role == Role.OPERATOR


def test_operator_profile_skills_and_capacity_change_but_presence_does_not(
    admin_as, supervisor, operator_of_queue, applications_category
):
    profile = operator_of_queue.operator_profile
    response = admin_as(supervisor).post(
        reverse("admin:gosupport_operatorprofile_change", args=[profile.pk]),
        {
            "user": operator_of_queue.pk,
            "skills": [applications_category.pk],
            "line": 2,
            "is_senior": "on",
            "capacity": 8,
            "presence": "away",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert list(profile.skills.all()) == [applications_category]
    assert (profile.line, profile.is_senior, profile.capacity, profile.presence) == (2, True, 8, "online")
