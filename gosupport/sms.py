"""Pluggable SMS delivery. Production points SMS_BACKEND at a gateway client with the
same `send(phone, text)` method; development writes the message to the log."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gosupport.sms")


class LogSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s***: %s", phone[:5], text)


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
