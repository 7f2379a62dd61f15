"""PostgreSQL-only: GIN over the question and keywords part of the search vector, one
partial index per language. The search looks there first (knowledgebase.search._search):
on a big FAQ common words sit in thousands of answers but in few questions. The indexed
expression is exactly what `knowledgebase.selectors.question_vector` compiles to; on
SQLite this migration does nothing."""

from django.db import migrations

CONFIGS = {"ru": "russian", "en": "english"}
EXPRESSION = (
    "(setweight(to_tsvector('{config}'::regconfig, COALESCE(question, '')), 'A') || "
    "setweight(to_tsvector('{config}'::regconfig, COALESCE(keywords, '')), 'B'))"
)
CREATE = [
    f"CREATE INDEX IF NOT EXISTS kb_article_question_{lang}_gin ON knowledgebase_article "
    f"USING gin ({EXPRESSION.format(config=config)}) WHERE lang = '{lang}'"
    for lang, config in CONFIGS.items()
]
DROP = [f"DROP INDEX IF EXISTS kb_article_question_{lang}_gin" for lang in CONFIGS]


def _run_on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0002_postgres_search_indexes"),
    ]

    operations = [
        migrations.RunPython(_run_on_postgres(CREATE), _run_on_postgres(DROP)),
    ]
