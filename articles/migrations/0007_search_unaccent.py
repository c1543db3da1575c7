"""Accent-insensitive search: the unaccent and pg_trgm extensions, the `reex_english` text search
configuration, the IMMUTABLE `reex_unaccent()` wrapper, trigram indexes for the admin searches of
articles, sources and authors, and the vocabulary table behind "Did you mean".

The extensions are created where the role may (a superuser, or since PostgreSQL 13 the database
owner: both extensions are "trusted"). Where it may not, the migration stops with the two
statements a superuser has to run first; docs/operations.md says the same.

The indexes are plain SQL (not Meta.indexes) because they are on expressions over a function this
migration creates; Django's model state does not need to know them.
"""

from django.db import DatabaseError, migrations, transaction

EXTENSIONS = ("unaccent", "pg_trgm")

# (index name, table, column): each serves `column__unaccent_icontains` in an admin search.
TRIGRAM_INDEXES = [
    ("article_title_trgm", "articles_article", "title"),
    ("article_standfirst_trgm", "articles_article", "standfirst"),
    ("article_slug_trgm", "articles_article", "slug"),
    ("source_title_trgm", "articles_source", "title"),
    ("source_authors_trgm", "articles_source", "authors"),
    ("source_container_trgm", "articles_source", "container"),
    ("source_doi_trgm", "articles_source", "doi"),
    ("author_name_trgm", "articles_author", "name"),
]


class ExtensionMissing(RuntimeError):
    pass


def _schema_of(cursor, extension):
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
        [extension],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def create_search_objects(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        missing = [name for name in EXTENSIONS if _schema_of(cursor, name) is None]
        for name in missing:
            try:
                # A savepoint: a refused CREATE must not abort the migration's transaction.
                with transaction.atomic(using=connection.alias), connection.cursor() as attempt:
                    attempt.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
            except DatabaseError as exc:
                database = connection.settings_dict["NAME"]
                raise ExtensionMissing(
                    f"The database role may not create the PostgreSQL extension {name!r} ({exc}). "
                    f"Ask a superuser to run, in database {database!r}:\n"
                    "    CREATE EXTENSION IF NOT EXISTS unaccent;\n"
                    "    CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
                    "then run `manage.py migrate` again (see docs/operations.md, 'Search extensions')."
                ) from exc
        unaccent_schema = _schema_of(cursor, "unaccent")
        # unaccent() is STABLE (it reads a dictionary); wrapped with the dictionary named explicitly it
        # is safe to declare IMMUTABLE, which expression indexes require.
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION reex_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS $$ SELECT "{unaccent_schema}".unaccent('"{unaccent_schema}".unaccent'::regdictionary, $1) $$
            """
        )
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'reex_english'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE TEXT SEARCH CONFIGURATION reex_english (COPY = pg_catalog.english)")
        # Accents go first, then English stemming: "Ñuñoa", "nunoa" and "NUÑOA" give one lexeme.
        cursor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION reex_english ALTER MAPPING FOR hword, hword_part, word "
            f'WITH "{unaccent_schema}".unaccent, english_stem'
        )
        trgm_schema = _schema_of(cursor, "pg_trgm")
        cursor.execute("CREATE TABLE IF NOT EXISTS articles_searchword (word text PRIMARY KEY)")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS articles_searchword_trgm ON articles_searchword "
            f'USING gin ((reex_unaccent(word)) "{trgm_schema}".gin_trgm_ops)'
        )
        for name, table, column in TRIGRAM_INDEXES:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER(reex_unaccent(("{column}")::text))) "{trgm_schema}".gin_trgm_ops)'
            )


def drop_search_objects(apps, schema_editor):
    # The extensions stay: other objects, or another application, may use them.
    with schema_editor.connection.cursor() as cursor:
        for name, _, _ in TRIGRAM_INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("DROP TABLE IF EXISTS articles_searchword")
        cursor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS reex_english")
        cursor.execute("DROP FUNCTION IF EXISTS reex_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_plain_text_and_markdown_help_texts")]

    operations = [migrations.RunPython(create_search_objects, drop_search_objects, elidable=False)]
