import io
import logging
import sys

import pytest

from gosupport.personal_data import PersonalDataLogFilter, redact_personal_data


def record(msg: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("gosupport.test", logging.INFO, __file__, 1, msg, args, exc_info)


@pytest.mark.parametrize(
    "secret",
    [
        "zoryana.markerova@example.ru",
        "+79031112233",
        "+7 (903) 111-22-33",
        "8 903 111 22 33",
        "7707083893",
        "500100732259",
        "112-233-445 95",
        "4510123456",
    ],
)
def test_personal_data_is_masked_in_log_messages_and_arguments(secret):
    for rec in (record(f"sent to {secret} ok"), record("sent to %s ok", secret)):
        PersonalDataLogFilter().filter(rec)
        assert secret not in rec.getMessage() and "sent to" in rec.getMessage()


def test_ordinary_numbers_and_ticket_numbers_stay_readable():
    text = "appeal 1234-5678 moved after 300 seconds, attempt 3 of 8, id 123456789"
    assert redact_personal_data(text) == text


def test_exception_text_is_masked_too():
    try:
        raise ValueError("no account for zoryana.markerova@example.ru")
    except ValueError:
        rec = record("lookup failed", exc_info=sys.exc_info())
    PersonalDataLogFilter().filter(rec)
    assert "zoryana.markerova" not in rec.exc_text and "ValueError" in rec.exc_text


def _configured_handlers() -> list[logging.Handler]:
    """The handlers settings.LOGGING installed (pytest adds capturing handlers of its own)."""
    handlers = logging.getLogger().handlers + logging.getLogger("django").handlers
    return [h for h in handlers if not type(h).__module__.startswith("_pytest")]


def test_every_configured_handler_masks_personal_data():
    handlers = _configured_handlers()
    assert handlers and all(any(isinstance(f, PersonalDataLogFilter) for f in h.filters) for h in handlers)
    assert logging.getLogger("django").propagate is False


@pytest.mark.parametrize("logger_name", ["gosupport.services", "django.request"])
def test_what_reaches_the_console_is_masked(logger_name):
    handlers = [h for h in _configured_handlers() if isinstance(h, logging.StreamHandler)]
    buffers = [io.StringIO() for _ in handlers]
    previous = [h.setStream(buffer) for h, buffer in zip(handlers, buffers, strict=True)]
    try:
        logging.getLogger(logger_name).error("notify %s at %s", "zoryana.markerova@example.ru", "+79031112233")
    finally:
        for h, stream in zip(handlers, previous, strict=True):
            h.setStream(stream)
    output = "".join(buffer.getvalue() for buffer in buffers)
    assert "notify" in output
    assert "zoryana.markerova" not in output and "9031112233" not in output
