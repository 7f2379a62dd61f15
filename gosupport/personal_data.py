"""Showing as little personal data as the job needs: masks for screens and for logs.

This module imports no models, so the logging configuration can load it before the apps.
"""

import logging
import re

MASK_CHAR = "*"

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +7 / 8 and ten digits with the usual separators: +7 (916) 123-45-67, 89161234567.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+7|8)[\s\-]?\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?!\d)")
SNILS_RE = re.compile(r"(?<!\d)\d{3}-\d{3}-\d{3}[\s-]\d{2}(?!\d)")
LONG_NUMBER_RE = re.compile(r"(?<!\d)\d{10,12}(?!\d)")


def mask_personal_value(value: str, *, keep_start: int = 2, keep_end: int = 2) -> str:
    """`7707083893` -> `77******93`: enough for a person to recognise, too little to use.
    Values too short to keep both ends are masked whole."""
    value = str(value or "")
    if not value:
        return ""
    if len(value) <= keep_start + keep_end + 2:
        return MASK_CHAR * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + MASK_CHAR * hidden + value[len(value) - keep_end :]


def mask_email(value: str) -> str:
    """`alice@example.ru` -> `al***@***.ru`."""
    local, _at, domain = str(value or "").partition("@")
    if not domain:
        return mask_personal_value(local)
    top_level = domain.rsplit(".", 1)[-1]
    return f"{local[:2]}***@***.{top_level}"


def mask_phone(value: str) -> str:
    """`+79161234567` -> `+7******4567`: the tail is what people read out to check."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(digits) < 6:
        return MASK_CHAR * len(digits)
    return "+" + digits[0] + MASK_CHAR * (len(digits) - 5) + digits[-4:]


def redact_personal_data(text: str) -> str:
    """Mask e-mails, phone numbers, SNILS and 10-12 digit numbers (INN, passport) in free text."""
    text = EMAIL_RE.sub(lambda m: mask_email(m.group()), text)
    text = PHONE_RE.sub(lambda m: mask_phone(m.group()), text)
    text = SNILS_RE.sub(lambda m: mask_personal_value(m.group()), text)
    return LONG_NUMBER_RE.sub(lambda m: mask_personal_value(m.group()), text)


class PersonalDataLogFilter(logging.Filter):
    """Rewrites every record that passes a handler so no personal data reaches the log.

    It renders the message with its arguments first, because the data usually arrives as
    an argument (`logger.info("sent to %s", email)`), and masks the traceback too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_personal_data(record.stack_info)
        return True
