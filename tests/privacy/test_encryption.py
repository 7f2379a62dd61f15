import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from gosupport.models import AuditLog, User
from gosupport.privacy import personal_identifiers_update, users_find_by_identifier
from tests.privacy.conftest import INN, PASSPORT, SNILS


def raw_row(user: User, *columns: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM gosupport_user WHERE id = %s", [user.pk])
        return cursor.fetchone()


def test_registration_stores_inn_and_snils_encrypted_and_reads_them_back(citizen):
    raw_inn, raw_snils, inn_hash = raw_row(citizen, "inn", "snils", "inn_hash")
    assert INN not in raw_inn and SNILS not in raw_snils and INN not in inn_hash
    assert raw_inn.startswith("gAAAAA") and raw_snils.startswith("gAAAAA")
    fresh = User.objects.get(pk=citizen.pk)
    assert (fresh.inn, fresh.snils) == (INN, SNILS)


def test_no_column_of_the_user_row_holds_an_identifier_in_plain_text(citizen):
    personal_identifiers_update(subject=citizen, actor=citizen, ip=None, passport_number="45 10 123456")
    row = raw_row(citizen, "*")
    assert not [value for value in row if any(secret in str(value) for secret in (INN, SNILS, PASSPORT))]


def test_citizen_is_found_by_inn_snils_or_passport_through_the_keyed_hash(citizen, citizen_b):
    personal_identifiers_update(subject=citizen, actor=citizen, ip=None, passport_number=PASSPORT)
    assert list(users_find_by_identifier(field="inn", value=f" {INN[:4]} {INN[4:]} ")) == [citizen]
    assert list(users_find_by_identifier(field="snils", value="112-233-445 95")) == [citizen]
    assert list(users_find_by_identifier(field="passport_number", value="45 10 123456")) == [citizen]
    assert not users_find_by_identifier(field="inn", value="7707083893").exists()
    assert not users_find_by_identifier(field="inn", value="").exists()


def test_filtering_on_an_encrypted_column_is_refused_instead_of_matching_nothing(citizen):
    with pytest.raises(FieldError):
        list(User.objects.filter(inn=INN))


def test_bad_passport_number_is_refused_and_nothing_is_stored(citizen):
    with pytest.raises(ValidationError) as error:
        personal_identifiers_update(subject=citizen, actor=citizen, ip=None, passport_number="45 10", inn="123")
    assert set(error.value.message_dict) == {"passport_number", "inn"}
    fresh = User.objects.get(pk=citizen.pk)
    assert fresh.passport_number == "" and fresh.inn == INN
    assert not AuditLog.objects.filter(action="change").exists()


def test_changing_an_identifier_is_audited_without_the_value(citizen):
    personal_identifiers_update(subject=citizen, actor=citizen, ip="192.0.2.5", passport_number=PASSPORT)
    record = AuditLog.objects.get(action="change")
    assert record.fields == ["passport_number"] and record.actor == citizen
    assert PASSPORT not in f"{record.detail}{record.fields}"


def test_another_citizen_cannot_change_someone_elses_identifiers(citizen, citizen_b):
    with pytest.raises(PermissionDenied):
        personal_identifiers_update(subject=citizen, actor=citizen_b, ip=None, inn="7707083893")
    assert User.objects.get(pk=citizen.pk).inn == INN


def test_rotate_pd_key_reencrypts_everything_with_the_new_key_once(citizen, capsys):
    personal_identifiers_update(subject=citizen, actor=citizen, ip=None, passport_number=PASSPORT)
    old_key, new_key = settings.PD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    with override_settings(PD_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate_pd_key", "--batch-size", "1")
        assert "3" in capsys.readouterr().out
        call_command("rotate_pd_key")
        assert "0" in capsys.readouterr().out
    with override_settings(PD_ENCRYPTION_KEYS=[new_key]):
        fresh = User.objects.get(pk=citizen.pk)
        assert (fresh.inn, fresh.snils, fresh.passport_number) == (INN, SNILS, PASSPORT)
    raw_inn = raw_row(citizen, "inn")[0]
    assert Fernet(new_key.encode()).decrypt(raw_inn.encode()).decode() == INN


def test_value_no_configured_key_opens_is_an_error_not_garbage(citizen):
    with override_settings(PD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(ImproperlyConfigured):
            User.objects.get(pk=citizen.pk)


def test_rotate_pd_key_refuses_a_bad_batch_size(db):
    with pytest.raises(CommandError):
        call_command("rotate_pd_key", "--batch-size", "0")


def _import_settings_with(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PD_")}
    env.update({"GOSUPPORT_ENV": "production", "SECRET_KEY": "x" * 50, **extra_env})
    return subprocess.run(
        [sys.executable, "-c", "import gosupport.settings"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_its_own_keys():
    missing = _import_settings_with({})
    assert missing.returncode != 0 and "PD_ENCRYPTION_KEYS" in missing.stderr
    dev_key = _import_settings_with({"PD_ENCRYPTION_KEYS": settings.PD_ENCRYPTION_KEYS[0], "PD_HASH_KEY": "h" * 40})
    assert dev_key.returncode != 0 and "PD_ENCRYPTION_KEYS" in dev_key.stderr
    no_hash = _import_settings_with({"PD_ENCRYPTION_KEYS": Fernet.generate_key().decode()})
    assert no_hash.returncode != 0 and "PD_HASH_KEY" in no_hash.stderr
    configured = _import_settings_with({"PD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "PD_HASH_KEY": "h" * 40})
    assert configured.returncode == 0, configured.stderr
