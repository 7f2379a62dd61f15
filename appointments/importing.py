"""`import_centres`: load services and centres from the documented JSON format (API.md).

The whole file is checked before anything is written, and written in one transaction:
a bad file changes nothing. Centres and services are matched by slug, so importing the
same file twice leaves the database as the first import left it."""

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Service, ServiceCentre, SpecialDay, WeeklyHours

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SERVICE_FIELDS = ("title", "title_en", "duration_minutes")
CENTRE_FIELDS = ("name", "city", "address", "lat", "lon", "phone", "windows", "online_booking", "timezone")


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: {"services": 0, "centres": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"services": 0, "centres": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"services": 0, "centres": 0})


class _Errors:
    def __init__(self):
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages, code="bad_import")


def _text(item: dict, key: str, where: str, errors: _Errors, *, required=True, max_length=300) -> str:
    value = item.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_length:
        errors.add(where, _("“%(key)s” must be text of 1 to %(max)d characters.") % {"key": key, "max": max_length})
        return ""
    return value.strip()


def _number(item: dict, key: str, where: str, errors: _Errors, low: float, high: float, *, integer=False):
    value = item.get(key)
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        errors.add(
            where, _("“%(key)s” must be a number from %(low)s to %(high)s.") % {"key": key, "low": low, "high": high}
        )
        return None
    return value


def _slug(item: dict, where: str, errors: _Errors) -> str:
    slug = item.get("slug")
    try:
        validate_slug(slug)
    except (ValidationError, TypeError):
        errors.add(where, _("“slug” must be letters, digits, hyphens or underscores."))
        return ""
    return slug


def _service_row(item, where: str, errors: _Errors) -> dict | None:
    if not isinstance(item, dict):
        errors.add(where, _("must be an object."))
        return None
    return {
        "slug": _slug(item, where, errors),
        "title": _text(item, "title", where, errors, max_length=200),
        "title_en": _text(item, "title_en", where, errors, required=False, max_length=200),
        "duration_minutes": _number(item, "duration_minutes", where, errors, 5, 480, integer=True),
    }


def _hours(value, where: str, errors: _Errors) -> dict[int, tuple[time, time]]:
    if not isinstance(value, dict) or set(value) - set(DAY_KEYS):
        errors.add(where, _("“hours” must map mon…sun to [opens, closes] or null."))
        return {}
    hours = {}
    for weekday, key in enumerate(DAY_KEYS):
        span = value.get(key)
        if span is None:
            continue
        parsed = _span(span)
        if parsed is None:
            errors.add(f"{where}.hours.{key}", _('must be ["HH:MM", "HH:MM"] with opening before closing.'))
            continue
        hours[weekday] = parsed
    return hours


def _span(span) -> tuple[time, time] | None:
    if not isinstance(span, list) or len(span) != 2 or not all(isinstance(s, str) for s in span):
        return None
    try:
        opens, closes = (datetime.strptime(s, "%H:%M").time() for s in span)
    except ValueError:
        return None
    return (opens, closes) if opens < closes else None


def _timezone(item: dict, where: str, errors: _Errors) -> str:
    name = item.get("timezone", "Europe/Moscow")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        errors.add(where, _("“timezone” must be an IANA time zone such as Europe/Moscow."))
        return ""
    return name


def _centre_row(item, where: str, errors: _Errors, service_slugs: set[str]) -> dict | None:
    if not isinstance(item, dict):
        errors.add(where, _("must be an object."))
        return None
    services = item.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        errors.add(where, _("“services” must be a list of service slugs."))
        services = []
    for slug in set(services) - service_slugs:
        errors.add(where, _("unknown service “%(slug)s”.") % {"slug": slug})
    online = item.get("online_booking", True)
    if not isinstance(online, bool):
        errors.add(where, _("“online_booking” must be true or false."))
    return {
        "slug": _slug(item, where, errors),
        "name": _text(item, "name", where, errors, max_length=200),
        "city": _text(item, "city", where, errors, max_length=100),
        "address": _text(item, "address", where, errors),
        "lat": _number(item, "lat", where, errors, -90, 90),
        "lon": _number(item, "lon", where, errors, -180, 180),
        "phone": _text(item, "phone", where, errors, required=False, max_length=32),
        "windows": _number(item, "windows", where, errors, 1, 200, integer=True),
        "online_booking": online,
        "timezone": _timezone(item, where, errors),
        "services": sorted(set(services)),
        "hours": _hours(item.get("hours"), where, errors),
        "special_days": _special_days(item.get("special_days", []), where, errors),
    }


def _special_days(value, where: str, errors: _Errors) -> dict:
    """Optional: [{"date": "YYYY-MM-DD", "hours": [opens, closes] | null, "note": "…"}]."""
    days = {}
    if not isinstance(value, list):
        errors.add(where, _("“special_days” must be a list."))
        return days
    for item in value:
        try:
            day = datetime.strptime(item["date"], "%Y-%m-%d").date()
        except (TypeError, KeyError, ValueError):
            errors.add(where, _("a special day needs “date” as YYYY-MM-DD."))
            continue
        span = item.get("hours")
        parsed = None if span is None else _span(span)
        if span is not None and parsed is None:
            errors.add(where, _("special day %(date)s: bad hours.") % {"date": day.isoformat()})
        days[day] = (parsed, str(item.get("note", ""))[:200])
    return days


def _unique(rows: list[dict], kind: str, errors: _Errors) -> None:
    slugs = [row["slug"] for row in rows if row["slug"]]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        errors.add(kind, _("slug “%(slug)s” appears twice.") % {"slug": slug})


def _parse(data) -> tuple[list[dict], list[dict]]:
    errors = _Errors()
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("services", []), list)
        or not isinstance(data.get("centres", []), list)
    ):
        raise ValidationError(_("The file must be an object with “services” and “centres” lists."), code="bad_import")
    services = [_service_row(item, f"services[{n}]", errors) for n, item in enumerate(data.get("services", []))]
    services = [row for row in services if row]
    known = {row["slug"] for row in services} | set(Service.objects.values_list("slug", flat=True))
    centres = [_centre_row(item, f"centres[{n}]", errors, known) for n, item in enumerate(data.get("centres", []))]
    centres = [row for row in centres if row]
    _unique(services, "services", errors)
    _unique(centres, "centres", errors)
    errors.raise_if_any()
    return services, centres


def centres_import(*, data) -> ImportReport:
    """Create or update every service and centre of the file by slug; all or nothing."""
    services, centres = _parse(data)
    report = ImportReport()
    with transaction.atomic():
        for row in services:
            _count(report, "services", _upsert(Service, row, SERVICE_FIELDS))
        for row in centres:
            _count(report, "centres", _centre_upsert(row))
    return report


def _count(report: ImportReport, kind: str, outcome: str) -> None:
    getattr(report, outcome)[kind] += 1


def _upsert(model, row: dict, fields: tuple[str, ...]) -> str:
    values = {name: row[name] for name in fields}
    obj = model.objects.filter(slug=row["slug"]).first()
    if obj is None:
        model.objects.create(slug=row["slug"], **values)
        return "created"
    if all(getattr(obj, name) == value for name, value in values.items()):
        return "unchanged"
    model.objects.filter(pk=obj.pk).update(**values)
    return "updated"


def _centre_upsert(row: dict) -> str:
    outcome = _upsert(ServiceCentre, row, CENTRE_FIELDS)
    centre = ServiceCentre.objects.get(slug=row["slug"])
    changed = _set_services(centre, row["services"]) | _set_hours(centre, row["hours"])
    changed |= _set_special_days(centre, row["special_days"])
    return "updated" if outcome == "unchanged" and changed else outcome


def _set_services(centre: ServiceCentre, slugs: list[str]) -> bool:
    current = sorted(centre.services.values_list("slug", flat=True))
    if current == slugs:
        return False
    centre.services.set(Service.objects.filter(slug__in=slugs))
    return True


def _set_hours(centre: ServiceCentre, hours: dict[int, tuple[time, time]]) -> bool:
    current = {row.weekday: (row.opens, row.closes) for row in centre.hours.all()}
    if current == hours:
        return False
    centre.hours.all().delete()
    WeeklyHours.objects.bulk_create(
        WeeklyHours(centre=centre, weekday=day, opens=opens, closes=closes) for day, (opens, closes) in hours.items()
    )
    return True


def _set_special_days(centre: ServiceCentre, days: dict) -> bool:
    """Special days in the file are set; those only in the admin are left alone."""
    changed = False
    for day, (span, note) in days.items():
        opens, closes = span if span else (None, None)
        current = centre.special_days.filter(date=day).first()
        if current and (current.opens, current.closes, current.note) == (opens, closes, note):
            continue
        SpecialDay.objects.update_or_create(
            centre=centre, date=day, defaults={"opens": opens, "closes": closes, "note": note}
        )
        changed = True
    return changed
