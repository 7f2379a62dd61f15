import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gosupport.models import AuditLog
from gosupport.personal_data import mask_email, mask_personal_value, mask_phone
from gosupport.privacy import personal_data_reveal
from tests.privacy.conftest import INN


@pytest.mark.parametrize(
    "value, masked",
    [("7707083893", "77******93"), ("500100732259", "50********59"), ("12345", "*****"), ("", "")],
)
def test_mask_personal_value_keeps_only_the_ends(value, masked):
    assert mask_personal_value(value) == masked


def test_mask_email_and_phone():
    assert mask_email("zoryana.markerova@example.ru") == "zo***@***.ru"
    assert mask_phone("+79031112233") == "+7******2233"


def test_operator_reveals_an_inn_and_the_reveal_is_audited(citizen, operator_of_queue):
    assert personal_data_reveal(actor=operator_of_queue, subject=citizen, field="inn", ip="192.0.2.8") == INN
    record = AuditLog.objects.get(action="reveal")
    assert (record.actor, record.object_id, record.fields, record.ip) == (
        operator_of_queue,
        str(citizen.pk),
        ["inn"],
        "192.0.2.8",
    )


@pytest.mark.parametrize("who", ["citizen_b", "self"])
def test_citizens_cannot_use_the_staff_reveal(citizen, citizen_b, who):
    actor = citizen if who == "self" else citizen_b
    with pytest.raises(PermissionDenied):
        personal_data_reveal(actor=actor, subject=citizen, field="inn", ip=None)
    assert not AuditLog.objects.exists()


def test_deactivated_operator_cannot_reveal(citizen, operator_of_queue):
    operator_of_queue.is_active = False
    with pytest.raises(PermissionDenied):
        personal_data_reveal(actor=operator_of_queue, subject=citizen, field="snils", ip=None)
    assert not AuditLog.objects.exists()


def test_only_identifier_fields_can_be_revealed(citizen, supervisor):
    with pytest.raises(ValidationError):
        personal_data_reveal(actor=supervisor, subject=citizen, field="password", ip=None)
    assert not AuditLog.objects.exists()
