"""New rows of several models written in one round trip."""

from django.db import connection
from django.db.models import Model


def rows_insert(*instances: Model) -> None:
    """Insert new rows (of any models, none referring to another of them) and set their
    primary keys. On PostgreSQL they go as one statement, a WITH of INSERTs; elsewhere one
    by one. Sends no model signals: only for rows that nothing listens to."""
    if connection.vendor != "postgresql":
        for instance in instances:
            type(instance)._default_manager.bulk_create([instance])
        return
    parts, params = [], []
    for index, instance in enumerate(instances):
        sql, values = _insert_returning_pk(instance)
        parts.append(f"row{index} AS ({sql})")
        params += values
    picks = ", ".join(f"(SELECT pk FROM row{index})" for index in range(len(instances)))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {picks}", params)
        pks = cursor.fetchone()
    for instance, pk in zip(instances, pks, strict=True):
        instance.pk = pk
        instance._state.adding, instance._state.db = False, connection.alias


def _insert_returning_pk(instance: Model) -> tuple[str, list]:
    meta, quote = instance._meta, connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) RETURNING {quote(meta.pk.column)} AS pk"
    return sql, values
