"""Trigram indexes for the admin's accent- and case-insensitive subscriber search (reex/unaccent.py).

Built CONCURRENTLY (so outside a transaction): on a million subscribers a plain CREATE INDEX
would block sign-ups while it runs. Plain SQL, because they index an expression over
`reex_unaccent()`, which articles/migrations/0007_search_unaccent.py creates.
"""

from django.db import migrations

INDEXES = [
    ("subscriber_email_trgm", "email"),
    ("subscriber_name_trgm", "name"),
    ("subscriber_source_page_trgm", "source_page"),
]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("articles", "0007_search_unaccent"), ("newsletter", "0003_welcome_sent_at")]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON newsletter_subscriber '
            f'USING gin ((UPPER(reex_unaccent(("{column}")::text))) gin_trgm_ops)',
            f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"',
        )
        for name, column in INDEXES
    ]
