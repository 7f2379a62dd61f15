"""The password reset letter goes through the notifications outbox: a row first, then the
(eager) Celery task delivers it, retrying a failed send; the link is not kept afterwards."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from gosupport.models import Notification, NotificationChannel, NotificationStatus
from gosupport.notifications import (
    SECRET_REMOVED,
    SWEEP_GRACE,
    delivery_backoff_seconds,
    notifications_resend_overdue,
)

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def _ask_for_a_link(client, capture, email="alice@example.ru"):
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def test_a_reset_writes_an_outbox_row_that_the_task_delivers(client, citizen_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(RESET, {"email": "alice@example.ru"})

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    row = Notification.objects.get()
    assert (row.channel, row.recipient, row.user, row.reference) == (
        NotificationChannel.EMAIL,
        "alice@example.ru",
        citizen_a,
        "password_reset",
    )
    assert row.status == NotificationStatus.PENDING and mail.outbox == []
    assert "/accounts/password/reset/" in row.body

    for callback in callbacks:
        callback()

    [letter] = mail.outbox
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 1
    assert letter.to == ["alice@example.ru"] and "\n" not in letter.subject
    assert re.search(r"http://testserver/accounts/password/reset/[^/\s]+/[^/\s]+/", letter.body)


def test_the_link_is_not_kept_in_the_outbox_after_delivery(client, citizen_a, django_capture_on_commit_callbacks):
    _ask_for_a_link(client, django_capture_on_commit_callbacks)

    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    row = Notification.objects.get()
    assert row.body == SECRET_REMOVED and link not in row.body
    assert client.get(link, follow=True).context["validlink"]


def test_a_failed_send_stays_in_the_outbox_and_goes_out_on_the_next_attempt(
    client, citizen_a, django_capture_on_commit_callbacks
):
    with mock.patch.object(mail.EmailMessage, "send", side_effect=OSError("SMTP down")):
        _ask_for_a_link(client, django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    assert row.status == NotificationStatus.PENDING and "SMTP down" in row.last_error and mail.outbox == []

    later = row.created_at + SWEEP_GRACE + timedelta(seconds=delivery_backoff_seconds(1))
    assert notifications_resend_overdue(now=later) == 1  # the retry, or the sweep when it was lost

    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 2
    assert len(mail.outbox) == 1 and "/accounts/password/reset/" in mail.outbox[0].body


def test_an_unknown_or_malformed_address_queues_nothing(client, citizen_a, django_capture_on_commit_callbacks):
    unknown = _ask_for_a_link(client, django_capture_on_commit_callbacks, email="nobody@example.ru")
    malformed = _ask_for_a_link(client, django_capture_on_commit_callbacks, email="not an address")

    assert unknown.status_code == 302
    assert malformed.status_code == 200 and malformed.context["form"].errors["email"]
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_citizen_who_restricted_processing_still_gets_the_link(client, citizen_a, django_capture_on_commit_callbacks):
    from gosupport.privacy import personal_data_restrict

    personal_data_restrict(subject=citizen_a, actor=citizen_a, restricted=True, ip=None)

    _ask_for_a_link(client, django_capture_on_commit_callbacks)

    assert Notification.objects.get().status == NotificationStatus.SENT and len(mail.outbox) == 1


def test_supervisors_do_not_see_a_waiting_reset_link_in_admin(client, citizen_a, supervisor):
    client.post(RESET, {"email": "alice@example.ru"})  # no commit callbacks: it stays pending
    row = Notification.objects.get()
    client.force_login(supervisor)

    page = client.get(reverse("admin:gosupport_notification_change", args=[row.pk]))

    assert page.status_code == 200
    assert "/accounts/password/reset/" not in page.content.decode()
    assert "alice@example.ru" in page.content.decode()
