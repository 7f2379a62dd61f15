from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation

from gosupport.models import AuditLog, Notification, NotificationStatus
from gosupport.tasks import purge_expired_personal_data
from tests.privacy.files import classic_pdf, upload
from tickets.models import Attachment, Message, Status, Ticket
from tickets.services import ticket_transition


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the commands' English wording; the Russian one is the catalogue's."""
    with translation.override("en"):
        yield


@pytest.fixture
def closed_appeal(citizen, file_ticket, operator_of_queue):
    def make(days_ago: int):
        ticket = file_ticket(citizen, files=[upload("scan.pdf", classic_pdf())])
        ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
        ticket_transition(ticket=ticket, to_status=Status.COMPLETED, actor=operator_of_queue, resolution="Готово")
        Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))
        return ticket

    return make


@override_settings(PD_RETENTION_DAYS=30)
def test_purge_expired_deletes_closed_appeals_past_the_term_with_files_and_keeps_the_rest(
    closed_appeal, citizen, file_ticket, django_capture_on_commit_callbacks, capsys
):
    expired, recent = closed_appeal(days_ago=31), closed_appeal(days_ago=29)
    still_open = file_ticket(citizen)
    Ticket.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - timedelta(days=400))
    expired_file = Attachment.objects.get(ticket=expired).file.name
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_expired")
    assert "tickets: 1" in capsys.readouterr().out
    assert set(Ticket.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert not Message.objects.filter(ticket_id=expired.pk).exists()
    assert not default_storage.exists(expired_file)
    assert not Notification.objects.filter(reference=expired.number).exists()
    assert AuditLog.objects.filter(action="purge", object_id=str(expired.pk)).exists()


@override_settings(PD_RETENTION_DAYS=30)
def test_purge_is_idempotent_and_runs_as_a_celery_task(closed_appeal):
    closed_appeal(days_ago=45)
    assert purge_expired_personal_data.delay().get()["tickets"] == 1
    assert purge_expired_personal_data.delay().get()["tickets"] == 0


@override_settings(PD_RETENTION_DAYS=30)
def test_old_delivered_notifications_are_purged_but_pending_ones_stay(citizen):
    old = timezone.now() - timedelta(days=31)
    sent = Notification.objects.create(
        channel="email", recipient=citizen.email, body="x", status=NotificationStatus.SENT
    )
    pending = Notification.objects.create(channel="email", recipient=citizen.email, body="y")
    Notification.objects.filter(pk__in=[sent.pk, pending.pk]).update(created_at=old)
    call_command("purge_expired")
    assert list(Notification.objects.values_list("pk", flat=True)) == [pending.pk]
