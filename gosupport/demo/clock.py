"""Replaying the past through the real services.

The demo month is not written as rows: every appeal is created, answered, escalated
and closed by the same services production runs, with Django's clock moved to the
moment being replayed. So every status has its event chain, every deadline is the
one its policy gives and every thread's seq is gap-free, by construction.
Nothing of the past may reach anybody now: callbacks after commit (notifications,
socket broadcasts, task enqueues) are dropped while the past is replayed."""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock


class ReplayClock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance_to(self, moment: datetime) -> None:
        self.moment = max(self.moment, moment)


def _dropped_after_commit(func, using=None, robust=False) -> None:
    """The replayed past has no side effects in the present."""


@contextmanager
def replaying(clock: ReplayClock):
    with (
        mock.patch("django.utils.timezone.now", clock.now),
        mock.patch("django.db.transaction.on_commit", _dropped_after_commit),
    ):
        yield clock
