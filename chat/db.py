"""Running services from consumers on a small pool of database threads.

Channels' `database_sync_to_async` runs every call on one shared thread and runs
`close_old_connections()` before and after it: a process then stores one chat message at
a time, each waiting for its round trips to PostgreSQL, and with health checks on every
frame pays an extra `SELECT 1` (the shared perf floor measured ~40 % of daphne's
per-message CPU there). Here calls run on CHAT_DB_THREADS threads, each with its own
persistent connection, checked at most every RECYCLE_SECONDS and dropped at once when a
call fails with a database error so the next call reconnects. A socket awaits each call
before the next frame, so one socket's frames are still handled in order."""

import functools
import threading
import time

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

from gosupport.thread_pools import run_on_pool

RECYCLE_SECONDS = 10.0
_thread_state = threading.local()


def _recycle_when_due() -> None:
    now = time.monotonic()
    if now - getattr(_thread_state, "recycled_at", 0.0) >= RECYCLE_SECONDS:
        close_old_connections()
        _thread_state.recycled_at = now


def _sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _on_database_thread(function, *args, **kwargs):
    _recycle_when_due()
    try:
        return function(*args, **kwargs)
    except DatabaseError:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        raise


class _OnChannelsThread(SyncToAsync):
    def thread_handler(self, loop, *args, **kwargs):
        return _on_database_thread(super().thread_handler, loop, *args, **kwargs)


def service_call(function):
    """Like `database_sync_to_async`, on the database threads, for consumer hot paths.
    SQLite runs one writer at a time: there the calls share Channels' one thread, so every
    door of the process uses one connection and never waits on another's file lock."""
    if _sqlite():
        return _OnChannelsThread(function, thread_sensitive=True)

    @functools.wraps(function)
    async def call(*args, **kwargs):
        return await run_on_pool("chat-db", settings.CHAT_DB_THREADS, _on_database_thread, function, *args, **kwargs)

    return call
