"""On PostgreSQL, active bookings of one window may not overlap in time (see models.py).

Django cannot declare a constraint for one database vendor, so this is plain SQL that
runs only on PostgreSQL; on other backends the operation does nothing."""

from django.db import migrations

CONSTRAINT = "booking_no_overlap_per_window"

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE appointments_booking ADD CONSTRAINT {CONSTRAINT}
    EXCLUDE USING gist (centre_id WITH =, window_no WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status IN ('awaiting_confirmation', 'confirmed'))""",
]
DROP = [f"ALTER TABLE appointments_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}"]


def _on_postgresql(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
