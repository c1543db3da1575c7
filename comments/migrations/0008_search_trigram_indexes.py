"""Trigram indexes for the admin's accent- and case-insensitive comment search (reex/unaccent.py),
and one for the unfiltered moderation queue's order.

Built CONCURRENTLY (so outside a transaction): on a million comments a plain CREATE INDEX would
block new comments for the minute it takes. Plain SQL, because they index an expression over
`reex_unaccent()`, which articles/migrations/0007_search_unaccent.py creates.
"""

from django.db import migrations

INDEXES = [
    ("comment_name_trgm", "name"),
    ("comment_email_trgm", "email"),
    ("comment_body_trgm", "body"),
]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("articles", "0007_search_unaccent"), ("comments", "0007_comment_reports")]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON comments_comment '
            f'USING gin ((UPPER(reex_unaccent(("{column}")::text))) gin_trgm_ops)',
            f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"',
        )
        for name, column in INDEXES
    ] + [
        # The unfiltered moderation queue's order (CommentAdmin.get_ordering: pending first, then
        # newest): with this index the page reads 50 index entries instead of sorting every comment.
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS comment_pending_first_idx ON comments_comment "
            "((CASE WHEN status = 'pending' THEN 0 ELSE 1 END), created_at DESC, id DESC)",
            "DROP INDEX CONCURRENTLY IF EXISTS comment_pending_first_idx",
        )
    ]
