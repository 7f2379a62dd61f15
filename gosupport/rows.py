"""New rows of several models written in one round trip, and hot statements bound by the server."""

import psycopg
from django.db import connection
from django.db.models import Model


def server_bound_fetchone(sql: str, params: list) -> tuple | None:
    """Run a PostgreSQL statement that runs thousands of times (a chat message) and return its
    first row. The server binds the parameters: Django binds on the client, quoting every
    value in Python. Every `%s` needs a cast where PostgreSQL cannot infer its type."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def rows_insert(*instances: Model, link: str | None = None) -> None:
    """Insert new rows and set their primary keys. With `link`, every later row that has a
    foreign key of that name refers to the first row through it (the first is new too: its key
    is taken inside the statement). On PostgreSQL the rows go as one statement, a WITH of
    INSERTs; elsewhere one by one. Sends no model signals: for rows whose rules the caller
    applies itself."""
    first = instances[0]
    linked = {id(instance) for instance in instances[1:] if link and _has_field(instance, link)}
    if connection.vendor != "postgresql":
        for instance in instances:
            if id(instance) in linked:
                setattr(instance, link, first)
            type(instance)._default_manager.bulk_create([instance])
        return
    parts, params = [], []
    for index, instance in enumerate(instances):
        linked_column = instance._meta.get_field(link).column if id(instance) in linked else None
        sql, values = _insert_returning_pk(instance, linked_column)
        parts.append(f"row{index} AS ({sql})")
        params += values
    picks = ", ".join(f"(SELECT pk FROM row{index})" for index in range(len(instances)))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {picks}", params)
        pks = cursor.fetchone()
    for instance, pk in zip(instances, pks, strict=True):
        instance.pk = pk
        instance._state.adding, instance._state.db = False, connection.alias
        if id(instance) in linked:
            setattr(instance, link, first)


def _has_field(instance: Model, name: str) -> bool:
    return any(field.name == name for field in instance._meta.concrete_fields)


def _insert_returning_pk(instance: Model, linked_column: str | None) -> tuple[str, list]:
    """The INSERT of one row; `linked_column` takes the first row's key (row0)."""
    meta, quote = instance._meta, connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    marks, values = [], []
    for field in fields:
        if field.column == linked_column:
            marks.append("(SELECT pk FROM row0)")
        else:
            marks.append("%s")
            values.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(marks)}) "
        f"RETURNING {quote(meta.pk.column)} AS pk"
    )
    return sql, values
