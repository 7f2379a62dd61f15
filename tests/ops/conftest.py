import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions on command output read the English msgids whatever the .po says."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def appointments_demo_skipped(request, monkeypatch):
    """Weeks of visit history take a minute; only the test asking for `visits_seeded` pays for them."""
    if "visits_seeded" not in request.fixturenames:
        monkeypatch.setattr("gosupport.demo.seed_demo_appointments", lambda: {})


@pytest.fixture
def visits_seeded():
    """Marks a test that runs the appointments demo for real."""
