"""Errors keep DRF's shape and speak the request's language (Russian by default)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gosupport.api_errors import PayloadTooLarge, as_api_exception
from tests.api.conftest import APPEAL_TEXT
from tickets.services import TransitionForbidden


def test_missing_field_is_reported_in_russian_by_default(client_for, citizen_a, account_category):
    response = client_for(citizen_a).post("/api/v1/tickets/", {"category": "account-access"}, format="json")

    assert response.status_code == 400
    assert response.json()["text"] == ["Обязательное поле."]


def test_missing_field_is_reported_in_english_when_asked(client_for, citizen_a, account_category):
    response = client_for(citizen_a).post(
        "/api/v1/tickets/", {"category": "account-access"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()["text"] == ["This field is required."]


def test_service_refusal_is_a_field_dict_in_the_requested_language(client_for, citizen_a, account_category):
    body = {"category": "account-access", "text": APPEAL_TEXT}

    response = client_for(citizen_a).post("/api/v1/tickets/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"contact_email": ["Give an e-mail or a phone number so we can answer you."]}


def test_unauthenticated_answer_is_a_detail_in_russian(api_client, db):
    response = api_client.get("/api/v1/tickets/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Учетные данные не были предоставлены."}


def test_validation_error_without_fields_goes_under_non_field_errors():
    with translation.override("en"):
        converted = as_api_exception(ValidationError("Something is off."))

    assert converted.status_code == 400
    assert converted.detail == {"non_field_errors": ["Something is off."]}


def test_validation_error_coded_too_large_becomes_413():
    error = ValidationError({"files": ValidationError("Too big.", code="too_large")})

    converted = as_api_exception(error)

    assert isinstance(converted, PayloadTooLarge)
    assert converted.detail == {"files": ["Too big."]}


def test_transition_forbidden_becomes_409_with_its_message():
    converted = as_api_exception(TransitionForbidden("No way."))

    assert converted.status_code == 409
    assert converted.detail == "No way."


@pytest.mark.parametrize("exc", [ValueError("boom"), KeyError("x")])
def test_other_exceptions_are_left_alone(exc):
    assert as_api_exception(exc) is exc
