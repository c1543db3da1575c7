"""`articles_search_ranked` learns the source-type filter of the search page.

The search page filters by the type (`Source.kind`) of an article's cited sources, and the first
query of a search must apply it inside the capped set of newest matches, like the section, date and
tag filters, or the count and the ranked ids would disagree with the filter. A new parameter changes
the function's signature, so the old function is dropped and the new one created (and back again
when reversed). Same body as in 0009_search_entry.py plus the `source_kind` test.
"""

from django.db import migrations

SIGNATURE_0009 = "tsquery, timestamptz, integer, integer, timestamptz, timestamptz, integer, text"
SIGNATURE = f"{SIGNATURE_0009}, text"

BODY = """
LANGUAGE sql STABLE
SET enable_seqscan = off SET max_parallel_workers_per_gather = 0
AS $$
    WITH newest AS (
        SELECT e.article_id, e.published_at FROM articles_searchentry e
         WHERE e.vector @@ query AND e.status = 'published' AND e.published_at <= visible_at
           AND (in_section IS NULL OR e.section_id = in_section)
           AND (starts IS NULL OR e.published_at >= starts)
           AND (ends IS NULL OR e.published_at < ends)
           AND (tag_slug IS NULL OR EXISTS (
                SELECT 1 FROM taggit_taggeditem ti JOIN taggit_tag t ON t.id = ti.tag_id
                 WHERE ti.object_id = e.article_id AND ti.content_type_id = tag_content_type
                   AND t.slug = tag_slug)){kind_test}
         ORDER BY e.published_at DESC, e.article_id DESC
         LIMIT max_rows
    )
    -- The ranking vector is read for these rows only, not carried through the sort of every match.
    SELECT n.article_id,
           row_number() OVER (ORDER BY n.published_at DESC, n.article_id DESC),
           row_number() OVER (ORDER BY ts_rank(r.rank_vector, query) DESC, n.published_at DESC, n.article_id DESC)
      FROM newest n JOIN articles_searchentry r ON r.article_id = n.article_id
$$;
"""

KIND_TEST = """
           AND (source_kind IS NULL OR EXISTS (
                SELECT 1 FROM articles_citation c JOIN articles_source s ON s.id = c.source_id
                 WHERE c.article_id = e.article_id AND s.kind = source_kind))"""

PARAMETERS_0009 = """
    query tsquery, visible_at timestamptz, max_rows integer,
    in_section integer DEFAULT NULL, starts timestamptz DEFAULT NULL, ends timestamptz DEFAULT NULL,
    tag_content_type integer DEFAULT NULL, tag_slug text DEFAULT NULL"""

RETURNS = "RETURNS TABLE (article_id integer, by_date bigint, by_rank bigint)"

FORWARD = f"""
DROP FUNCTION articles_search_ranked({SIGNATURE_0009});
CREATE FUNCTION articles_search_ranked({PARAMETERS_0009}, source_kind text DEFAULT NULL
) {RETURNS}
{BODY.format(kind_test=KIND_TEST)}
"""

BACKWARD = f"""
DROP FUNCTION articles_search_ranked({SIGNATURE});
CREATE FUNCTION articles_search_ranked({PARAMETERS_0009}
) {RETURNS}
{BODY.format(kind_test="")}
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_article_hero_focal_point")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
