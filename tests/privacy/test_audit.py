import pytest
from django.db import DatabaseError, connection, transaction

from gosupport.audit import audit_record
from gosupport.models import AppendOnlyError, AuditLog
from tests.factories import OperatorFactory


def test_audit_record_names_actor_object_fields_and_address(citizen, operator_of_queue):
    record = audit_record(actor=operator_of_queue, action="read", obj=citizen, fields=("inn", "snils"), ip="192.0.2.7")
    record = AuditLog.objects.get(pk=record.pk)
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        operator_of_queue,
        "read",
        "gosupport.user",
        str(citizen.pk),
    )
    assert record.fields == ["inn", "snils"] and record.ip == "192.0.2.7"


def test_unknown_audit_action_is_refused_and_nothing_is_written(citizen):
    with pytest.raises(ValueError):
        audit_record(actor=None, action="peek", obj=citizen, fields=[], ip=None)
    assert not AuditLog.objects.exists()


def test_audit_record_cannot_be_changed_or_deleted_through_the_orm(citizen):
    record = audit_record(actor=citizen, action="export", obj=citizen, fields=["profile"], ip=None)
    record.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=record.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=record.pk).detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_raw_update_and_delete_of_audit_rows(citizen):
    record = audit_record(actor=citizen, action="export", obj=citizen, fields=["profile"], ip=None)
    for sql in (
        "UPDATE gosupport_auditlog SET detail = 'x' WHERE id = %s",
        "DELETE FROM gosupport_auditlog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [record.pk])
    assert AuditLog.objects.filter(pk=record.pk, detail="").exists()


def test_deleting_a_staff_user_keeps_their_audit_rows_without_the_actor(citizen):
    operator = OperatorFactory(username="leaving")
    record = audit_record(actor=operator, action="reveal", obj=citizen, fields=["inn"], ip=None)
    operator.delete()
    record = AuditLog.objects.get(pk=record.pk)
    assert record.actor is None and record.fields == ["inn"]
