"""Seed the default Moscow business calendar and the promised answer times.

Idempotent: every row is looked up by name and created only when missing, so a
supervisor's later edits survive re-running, and nothing is removed on reverse."""

from django.db import migrations

MINUTE = 60
HOUR = 60 * MINUTE
WORKING_DAY = 9 * HOUR  # 09:00-18:00 of the default calendar, counted in business time

DEFAULT_CALENDAR = {
    "name": "Москва, 09:00–18:00",
    "timezone": "Europe/Moscow",
    "work_start": "09:00",
    "work_end": "18:00",
    "country": "RU",
}

# name, channel, priority, for_complaints, first response, resolution, business time
DEFAULT_POLICIES = [
    ("Чат: простой вопрос", "chat", "simple", False, 30, 5 * MINUTE, False),
    ("Чат: сложный вопрос", "chat", "complex", False, 30, 30 * MINUTE, False),
    ("Чат: эскалированный вопрос", "chat", "escalated", False, 30, HOUR, False),
    ("Форма обратной связи", "form", "", False, 24 * HOUR, 48 * HOUR, False),
    ("Письмо по почте", "post", "", False, 10 * WORKING_DAY, 10 * WORKING_DAY, True),
    ("Жалоба", "", "", True, 5 * WORKING_DAY, 5 * WORKING_DAY, True),
    ("Прочие каналы", "", "", False, 24 * HOUR, 48 * HOUR, False),
]


def seed_defaults(apps, schema_editor=None):
    BusinessCalendar = apps.get_model("gosupport", "BusinessCalendar")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    calendar, created = BusinessCalendar.objects.get_or_create(
        name=DEFAULT_CALENDAR["name"], defaults={k: v for k, v in DEFAULT_CALENDAR.items() if k != "name"}
    )
    if created and not BusinessCalendar.objects.filter(is_default=True).exists():
        BusinessCalendar.objects.filter(pk=calendar.pk).update(is_default=True)
    for name, channel, priority, complaints, first, resolution, business in DEFAULT_POLICIES:
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "channel": channel,
                "priority": priority,
                "for_complaints": complaints,
                "first_response_seconds": first,
                "resolution_seconds": resolution,
                "business_time": business,
                "calendar": calendar if business else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("gosupport", "0002_codes_and_consent"),
        ("tickets", "0002_sla_complaints_and_escalation_time"),
    ]

    operations = [migrations.RunPython(seed_defaults, migrations.RunPython.noop)]
