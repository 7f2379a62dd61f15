"""Shared by the chat's tests: a moment within operator hours, and a page client in English."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

MOSCOW = ZoneInfo("Europe/Moscow")
# A working Monday, 10:00 in Moscow: operators are at work, call backs can be booked today.
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=MOSCOW)


@pytest.fixture
def at_work():
    """Time stands still on a working Monday morning; `at_work.shift(seconds)` moves it."""
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def page_client(client, request, settings):
    """A Django client signed in as the persona, reading English (the msgids the tests quote)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def sign_in(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return sign_in
