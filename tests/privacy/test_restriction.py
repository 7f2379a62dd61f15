import os

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from gosupport.models import AuditLog, Notification, NotificationStatus, User
from gosupport.privacy import ProcessingRestricted, personal_data_restrict
from gosupport.services import password_reset_code_send
from tests.privacy.files import png_bytes, upload
from tickets.models import Attachment, Status, Ticket
from tickets.services import ticket_transition


def media_files() -> set[str]:
    return {os.path.join(folder, name) for folder, _dirs, names in os.walk(settings.MEDIA_ROOT) for name in names}


def test_citizen_restricts_processing_from_the_privacy_page_and_it_is_audited(client, citizen):
    client.force_login(citizen)
    response = client.post("/account/privacy/restrict/", {"restricted": "1"})
    assert response.status_code == 302
    assert User.objects.get(pk=citizen.pk).is_processing_restricted
    assert AuditLog.objects.get(action="restriction").actor == citizen
    assert "Lift the restriction" in client.get("/account/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_new_appeal_of_a_restricted_citizen_is_refused_with_a_clear_message_and_nothing_stored(citizen, file_ticket):
    personal_data_restrict(subject=citizen, actor=citizen, restricted=True, ip=None)
    before = media_files()
    with pytest.raises(ProcessingRestricted) as error:
        file_ticket(citizen, files=[upload("photo.png", png_bytes())])
    assert "restricted the processing" in " ".join(error.value.messages)
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert media_files() == before


def test_api_answers_a_restricted_citizens_new_appeal_with_400(client_for, citizen, account_category, form_policy):
    personal_data_restrict(subject=citizen, actor=citizen, restricted=True, ip=None)
    response = client_for(citizen).post(
        "/api/v1/tickets/",
        {
            "category": account_category.slug,
            "text": "Прошу восстановить доступ к кабинету.",
            "contact_email": citizen.email,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "restricted" in str(response.json()).lower() or "ограничили" in str(response.json()).lower()
    assert not Ticket.objects.exists()


def test_notifications_to_a_restricted_citizen_are_withheld_but_recovery_codes_still_go(
    citizen, file_ticket, operator_of_queue
):
    ticket = file_ticket(citizen)
    personal_data_restrict(subject=citizen, actor=citizen, restricted=True, ip=None)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    withheld = Notification.objects.filter(user=citizen, reference=ticket.number).order_by("-id").first()
    assert withheld.status == NotificationStatus.FAILED and "restricted" in withheld.last_error
    password_reset_code_send(phone="+79031112233")
    assert Notification.objects.get(reference="password_reset").status == NotificationStatus.PENDING


def test_lifting_the_restriction_accepts_appeals_again(client, citizen, file_ticket):
    personal_data_restrict(subject=citizen, actor=citizen, restricted=True, ip=None)
    client.force_login(citizen)
    assert client.post("/account/privacy/restrict/", {"restricted": "0"}).status_code == 302
    assert file_ticket(citizen).pk
    assert AuditLog.objects.filter(action="restriction_lifted").count() == 1


def test_bad_restriction_input_changes_nothing(client, citizen):
    client.force_login(citizen)
    assert client.post("/account/privacy/restrict/", {"restricted": "maybe"}).status_code == 400
    assert client.post("/account/privacy/restrict/", {}).status_code == 400
    assert not User.objects.get(pk=citizen.pk).is_processing_restricted
    assert not AuditLog.objects.exists()


def test_staff_and_other_citizens_cannot_restrict_a_citizen(client, citizen, citizen_b, operator_of_queue):
    client.force_login(operator_of_queue)
    assert client.post("/account/privacy/restrict/", {"restricted": "1"}).status_code == 403
    with pytest.raises(PermissionDenied):
        personal_data_restrict(subject=citizen, actor=citizen_b, restricted=True, ip=None)
    assert not User.objects.get(pk=citizen.pk).is_processing_restricted
