"""Citizen sign-up through the service: a double submit must not end in a server error."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save

from gosupport.models import User
from gosupport.services import citizen_register
from tests.factories import UserFactory

EMAIL = "double.submit@example.ru"


def register() -> User:
    return citizen_register(
        last_name="Дублёва",
        first_name="Анна",
        birth_date="1990-01-02",
        phone="+79035556677",
        email=EMAIL,
        password="correct-horse-battery-42",
    )


@pytest.mark.django_db
def test_a_registration_that_loses_the_race_for_its_email_gets_the_email_error():
    def the_other_submit_commits_first(sender, instance, **kwargs):
        if instance.username == EMAIL and not User.objects.filter(email=EMAIL).exists():
            UserFactory(username="first-submit", email=EMAIL)

    pre_save.connect(the_other_submit_commits_first, sender=User)
    try:
        with pytest.raises(ValidationError) as refusal:
            register()
    finally:
        pre_save.disconnect(the_other_submit_commits_first, sender=User)
    assert "email" in refusal.value.message_dict
    assert not User.objects.filter(username=EMAIL).exists()
