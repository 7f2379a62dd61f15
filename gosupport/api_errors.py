"""How the REST API answers errors: DRF's shape, in the request's language.

Services raise Django's ValidationError and their own domain exceptions; this handler
turns them into HTTP answers so every door reports a refusal the same way:

- ValidationError -> 400 with the field dict (`{"field": ["message"]}`);
  an error whose code is "too_large" -> 413 with the same dict;
- an exception type registered with `register_conflict` -> 409 `{"detail": "..."}`;
- Django's PermissionDenied with a message -> 403 `{"detail": message}`.

`gosupport` imports none of the apps, so each app registers its conflict exceptions
here from its API module, e.g. `register_conflict(TransitionForbidden)`.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

TOO_LARGE_CODE = "too_large"

_conflict_types: set[type[Exception]] = set()


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = TOO_LARGE_CODE


def register_conflict(*exception_types: type[Exception]) -> None:
    """Answer these domain exceptions with 409 and their message."""
    _conflict_types.update(exception_types)


def api_exception_handler(exc: Exception, context: dict):
    return drf_exception_handler(as_api_exception(exc), context)


def as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return _from_validation_error(exc)
    if _conflict_types and isinstance(exc, tuple(_conflict_types)):
        return Conflict(detail=str(exc) or None)
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        # DRF would answer a service's refusal with its generic words; the person needs the reason.
        return exceptions.PermissionDenied(detail=str(exc))
    return exc


def _from_validation_error(exc: DjangoValidationError) -> exceptions.APIException:
    if not hasattr(exc, "error_dict"):
        exc = DjangoValidationError({NON_FIELD_ERRORS: exc.error_list})
    detail = {_field_name(field): messages for field, messages in _as_lists(exc).items()}
    if any(error.code == TOO_LARGE_CODE for errors in exc.error_dict.values() for error in errors):
        return PayloadTooLarge(detail=detail)
    return exceptions.ValidationError(detail=detail)


def _as_lists(exc: DjangoValidationError) -> dict[str, list[str]]:
    return {field: DjangoValidationError(errors).messages for field, errors in exc.error_dict.items()}


def _field_name(field: str) -> str:
    return api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
