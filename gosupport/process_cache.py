"""Reference data (business calendars, SLA policies) kept per process for a few seconds.

Reading them is a good part of registering an appeal. The process that changes them forgets
its copies at once and again after the commit; other processes read theirs again after the
number of seconds in the named setting."""

import time as clock

from django.conf import settings


class ProcessCache:
    def __init__(self, ttl_setting: str):
        self._ttl_setting = ttl_setting
        self._entries: dict = {}

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None or entry[0] <= clock.monotonic():
            return None
        return entry[1]

    def put(self, key, value) -> None:
        self._entries[key] = (clock.monotonic() + getattr(settings, self._ttl_setting), value)

    def clear(self) -> None:
        self._entries.clear()
