"""Running services from consumers without Channels' per-call connection churn.

Channels' `database_sync_to_async` runs `close_old_connections()` before and after every
call: with health checks on, each chat frame then pays an extra `SELECT 1`, and the
shared perf floor measured ~40 % of daphne's per-message CPU there. Sockets live for
minutes, so here the connection is checked at most every RECYCLE_SECONDS, and dropped at
once when a call fails with a database error so the next call reconnects."""

import time

from asgiref.sync import SyncToAsync
from django.db import DatabaseError, close_old_connections, connection

RECYCLE_SECONDS = 10.0
_last_recycle = {"at": 0.0}


def _recycle_when_due() -> None:
    now = time.monotonic()
    if now - _last_recycle["at"] >= RECYCLE_SECONDS:
        close_old_connections()
        _last_recycle["at"] = now


class ServiceCall(SyncToAsync):
    def thread_handler(self, loop, *args, **kwargs):
        _recycle_when_due()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        except DatabaseError:
            if connection.connection is not None and not connection.is_usable():
                connection.close()
            raise


def service_call(function):
    """Like `database_sync_to_async`, on the one database thread, for consumer hot paths."""
    return ServiceCall(function, thread_sensitive=True)
