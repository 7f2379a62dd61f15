import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions on command output read the English msgids whatever the .po says."""
    with translation.override("en"):
        yield
