"""import_centres (idempotent, a bad file changes nothing) and the demo seeding hook."""

import json
from datetime import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from appointments.demo import FIXTURE, seed_demo_appointments
from appointments.importing import centres_import
from appointments.models import Booking, Service, ServiceCentre, SpecialDay
from appointments.selectors import centre_busy_hours, centre_queue_now
from tests.appointments.conftest import msk
from tests.factories import UserFactory


def _fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _snapshot():
    centres = ServiceCentre.objects.order_by("slug")
    return [
        (
            c.slug,
            c.name,
            c.windows,
            sorted(c.services.values_list("slug", flat=True)),
            sorted(c.hours.values_list("weekday", "opens", "closes")),
        )
        for c in centres
    ]


@pytest.mark.django_db
def test_demo_fixture_has_enough_centres_in_several_cities():
    data = _fixture()

    assert len(data["centres"]) >= 15
    assert len({centre["city"] for centre in data["centres"]}) >= 5


@pytest.mark.django_db
def test_import_is_idempotent(tmp_path, capsys):
    path = tmp_path / "centres.json"
    path.write_text(json.dumps(_fixture(), ensure_ascii=False), encoding="utf-8")

    call_command("import_centres", str(path))
    first = _snapshot()
    with translation.override("en"):
        call_command("import_centres", str(path))

    assert _snapshot() == first
    assert ServiceCentre.objects.count() == len(_fixture()["centres"])
    assert "17 centres" in capsys.readouterr().out.splitlines()[-1]  # the second run: all unchanged


@pytest.mark.django_db
def test_import_updates_by_slug():
    data = _fixture()
    centres_import(data=data)
    data["centres"][0]["windows"] = 3
    data["centres"][0]["hours"]["sun"] = None
    data["centres"][0]["special_days"] = [{"date": "2027-03-10", "hours": ["10:00", "14:00"], "note": "Учёба"}]

    report = centres_import(data=data)

    centre = ServiceCentre.objects.get(slug=data["centres"][0]["slug"])
    assert report.updated["centres"] == 1
    assert centre.windows == 3
    assert not centre.hours.filter(weekday=6).exists()
    assert SpecialDay.objects.get(centre=centre).opens == time(10)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["centres"][0].update(windows=0),
        lambda d: d["centres"][0].update(lat="north"),
        lambda d: d["centres"][0].update(services=["no-such-service"]),
        lambda d: d["centres"][0]["hours"].update(mon=["18:00", "09:00"]),
        lambda d: d["centres"][0]["hours"].update(funday=["09:00", "18:00"]),
        lambda d: d["centres"][0].update(timezone="Mars/Olympus"),
        lambda d: d["centres"][1].update(slug=d["centres"][0]["slug"]),
        lambda d: d["services"][0].update(duration_minutes=0),
        lambda d: d.update(centres="everything"),
    ],
)
@pytest.mark.django_db
def test_a_bad_file_changes_nothing(tmp_path, mutate):
    data = _fixture()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("import_centres", str(path))

    assert ServiceCentre.objects.count() == 0
    assert Service.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")

    with translation.override("en"), pytest.raises(CommandError, match="Cannot read"):
        call_command("import_centres", str(path))
    with pytest.raises(CommandError):
        call_command("import_centres", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_demo_seed_gives_history_for_the_load_figures_and_is_idempotent():
    UserFactory(username="demo-citizen")
    now = msk(2027, 3, 3, 11, 10)  # a Wednesday, mid-morning

    first = seed_demo_appointments(now=now)
    second = seed_demo_appointments(now=now)

    assert first["centres"] >= 15 and first["history"] > 1000
    assert second["history"] == 0 and second["upcoming"] == 0
    moscow = ServiceCentre.objects.get(slug="msk-tverskoy")
    busy = centre_busy_hours(moscow, now=now)
    assert busy.peak > 0
    assert centre_queue_now(moscow, now=now).average_wait_minutes is not None
    assert Booking.objects.filter(start__gt=now).count() >= 1
