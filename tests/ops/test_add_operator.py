import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from gosupport.models import AuditLog, OperatorProfile, Role, User

PASSWORD = "Queue-Keeper-2026"


def add_operator(*args):
    call_command("add_operator", *args)


@pytest.mark.django_db
def test_operator_without_categories_takes_every_queue_and_can_sign_in():
    add_operator("nina", "--password", PASSWORD)
    user = authenticate(username="nina", password=PASSWORD)
    assert user is not None and user.role == Role.OPERATOR
    assert not user.is_staff and not user.is_superuser
    assert user.operator_profile.all_queues and user.operator_profile.line == 1
    assert not user.operator_profile.skills.exists()


def test_operator_with_categories_and_second_line(account_category, applications_category):
    add_operator("nina", "--password", PASSWORD, "--categories", "account-access, applications", "--line", "2")
    profile = OperatorProfile.objects.get(user__username="nina")
    assert not profile.all_queues and profile.line == 2
    assert set(profile.skills.values_list("slug", flat=True)) == {"account-access", "applications"}


@pytest.mark.django_db
def test_supervisor_gets_role_staff_and_superuser():
    add_operator("vera", "--password", PASSWORD, "--supervisor")
    user = authenticate(username="vera", password=PASSWORD)
    assert user.role == Role.SUPERVISOR and user.is_staff and user.is_superuser


def test_running_again_updates_instead_of_duplicating(account_category):
    add_operator("nina", "--password", PASSWORD, "--supervisor")
    add_operator("nina", "--password", "Another-Secret-77", "--categories", "account-access")
    user = User.objects.get(username="nina")
    assert User.objects.filter(username="nina").count() == 1
    assert user.role == Role.OPERATOR and not user.is_staff and not user.is_superuser
    assert list(user.operator_profile.skills.values_list("slug", flat=True)) == ["account-access"]
    assert authenticate(username="nina", password=PASSWORD) is None
    assert authenticate(username="nina", password="Another-Secret-77") == user
    assert AuditLog.objects.filter(object_id=str(user.pk)).count() == 2


def test_unknown_category_is_a_clear_error_and_stores_nothing(account_category):
    with pytest.raises(CommandError, match="no-such-queue"):
        add_operator("nina", "--password", PASSWORD, "--categories", "account-access,no-such-queue")
    assert not User.objects.filter(username="nina").exists()
    assert not OperatorProfile.objects.exists()


def test_unknown_category_leaves_an_existing_operator_untouched(account_category):
    add_operator("nina", "--password", PASSWORD, "--categories", "account-access")
    with pytest.raises(CommandError):
        add_operator("nina", "--password", "Another-Secret-77", "--categories", "typo", "--supervisor")
    user = User.objects.get(username="nina")
    assert user.role == Role.OPERATOR and user.check_password(PASSWORD)


@pytest.mark.django_db
def test_weak_password_is_refused():
    with pytest.raises(CommandError, match="password"):
        add_operator("nina", "--password", "12345")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_second_line_must_be_one_or_two():
    with pytest.raises(CommandError):
        add_operator("nina", "--password", PASSWORD, "--line", "3")
    assert not User.objects.exists()


def test_citizen_account_is_not_turned_into_staff(citizen_a):
    with pytest.raises(CommandError, match="username"):
        add_operator("alice", "--password", PASSWORD)
    citizen_a.refresh_from_db()
    assert citizen_a.role == Role.CITIZEN and not OperatorProfile.objects.exists()


def test_email_of_another_account_is_refused(citizen_a):
    with pytest.raises(CommandError, match="email"):
        add_operator("nina", "--password", PASSWORD, "--email", "ALICE@example.ru")
    assert not User.objects.filter(username="nina").exists()
