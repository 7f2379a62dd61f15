"""Appointments fixtures: services of 30 and 15 minutes, a two-window Moscow centre open
9–18 on weekdays and 10–14 on Saturdays, and a fixed "now": Monday 1 March 2027, 08:00
Moscow time (8 March 2027, a Monday, is a public holiday; 20 February 2027, a Saturday,
is a transfer working day)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.appointments.factories import WEEKDAYS_9_TO_18, ServiceCentreFactory, ServiceFactory

MSK = ZoneInfo("Europe/Moscow")


def msk(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MSK)


@pytest.fixture
def now():
    return msk(2027, 3, 1, 8, 0)


@pytest.fixture
def passport(db):
    return ServiceFactory(slug="passport", title="Паспорт РФ", title_en="Russian passport", duration_minutes=30)


@pytest.fixture
def snils(db):
    return ServiceFactory(slug="snils", title="СНИЛС", title_en="SNILS", duration_minutes=15)


@pytest.fixture
def centre(passport, snils):
    hours = {**WEEKDAYS_9_TO_18, 5: (time(10), time(14))}
    return ServiceCentreFactory(slug="tverskaya", windows=2, hours=hours, services=[passport, snils])


@pytest.fixture
def one_window_centre(passport):
    return ServiceCentreFactory(slug="small", windows=1, services=[passport])


@pytest.fixture
def centre_operator(centre):
    from tests.factories import OperatorFactory

    operator = OperatorFactory(username="centre-olga")
    centre.staff.add(operator)
    return operator


@pytest.fixture
def frozen(now):
    """Django's clock stopped at `now` for doors that read the time themselves."""
    import time_machine

    with time_machine.travel(now, tick=False) as traveller:
        yield traveller
