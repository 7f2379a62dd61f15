"""PostgreSQL-only search indexes: GIN over the weighted tsvector and a trigram GIN over
the vocabulary. They live outside Meta.indexes because SQLite cannot create them; on
SQLite this migration does nothing and the search uses its fallback."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS kb_article_search_gin ON knowledgebase_article USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS kb_term_word_trgm ON knowledgebase_term USING gin (word gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS kb_article_search_gin",
    "DROP INDEX IF EXISTS kb_term_word_trgm",
]


def _run_on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0001_faq_search_canned"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(_run_on_postgres(CREATE), _run_on_postgres(DROP)),
    ]
