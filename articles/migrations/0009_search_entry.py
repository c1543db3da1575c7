"""A narrow copy of what the search's first query reads: `articles_searchentry`.

The first query of a search lists the newest matches. On `articles_article` every match costs a
visit to a wide row (the brief's text and HTML live there), and for common words PostgreSQL
walks the publication-date index testing thousands of them: 100-350 ms at 100k articles. Here a
row is the article's id, status, publication time, section, a small title + standfirst vector
for ranking and the full vector: about a tenth of an article row, so far fewer pages per match.

Triggers keep it in step with `articles_article` whatever writes the article (services, the
admin, `QuerySet.update()`, COPY), including TRUNCATE, which Django's test flush uses. It is not
a Django model: nothing but articles/search_query.py reads it.
"""

from django.db import migrations

FORWARD = """
CREATE TABLE articles_searchentry (
    article_id integer PRIMARY KEY,
    status varchar(20) NOT NULL,
    published_at timestamptz NULL,
    section_id integer NULL,
    rank_vector tsvector NOT NULL,
    vector tsvector NULL
);
-- Kept inline (compressed if need be): testing a match must not cost a TOAST lookup per row.
ALTER TABLE articles_searchentry ALTER COLUMN vector SET STORAGE MAIN;
ALTER TABLE articles_searchentry ALTER COLUMN rank_vector SET STORAGE MAIN;
CREATE INDEX articles_searchentry_vector ON articles_searchentry USING gin (vector);
-- For common words: read the newest published rows first and stop after max_rows matches.
CREATE INDEX articles_searchentry_newest ON articles_searchentry (published_at DESC, article_id DESC)
    WHERE status = 'published';

CREATE FUNCTION articles_searchentry_rank_vector(title text, standfirst text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('reex_english', COALESCE(title, '')), 'A')
        || setweight(to_tsvector('reex_english', COALESCE(standfirst, '')), 'B')
$$;

CREATE FUNCTION articles_searchentry_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM articles_searchentry WHERE article_id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO articles_searchentry (article_id, status, published_at, section_id, rank_vector, vector)
    VALUES (NEW.id, NEW.status, NEW.published_at, NEW.section_id,
            articles_searchentry_rank_vector(NEW.title, NEW.standfirst), NEW.search_vector)
    ON CONFLICT (article_id) DO UPDATE SET
        status = EXCLUDED.status, published_at = EXCLUDED.published_at, section_id = EXCLUDED.section_id,
        rank_vector = EXCLUDED.rank_vector, vector = EXCLUDED.vector;
    RETURN NULL;
END
$$;

CREATE FUNCTION articles_searchentry_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE articles_searchentry;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_searchentry_sync
    AFTER INSERT OR DELETE OR UPDATE OF status, published_at, section_id, title, standfirst, search_vector
    ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_searchentry_sync();
CREATE TRIGGER articles_searchentry_truncate
    AFTER TRUNCATE ON articles_article FOR EACH STATEMENT EXECUTE FUNCTION articles_searchentry_truncate();

-- The newest `max_rows` published matches, each with its place by date and its place by rank
-- (title and standfirst first, then newest). Rare words: the GIN index; common words: the
-- newest-first index, stopping at max_rows. Planned without sequential scans (never the better
-- choice here) and without parallel workers (their start-up costs more than a search's work).
-- A function's SET applies to the function only; the caller's transaction keeps its settings.
CREATE FUNCTION articles_search_ranked(
    query tsquery, visible_at timestamptz, max_rows integer,
    in_section integer DEFAULT NULL, starts timestamptz DEFAULT NULL, ends timestamptz DEFAULT NULL,
    tag_content_type integer DEFAULT NULL, tag_slug text DEFAULT NULL
) RETURNS TABLE (article_id integer, by_date bigint, by_rank bigint)
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
                   AND t.slug = tag_slug))
         ORDER BY e.published_at DESC, e.article_id DESC
         LIMIT max_rows
    )
    -- The ranking vector is read for these rows only, not carried through the sort of every match.
    SELECT n.article_id,
           row_number() OVER (ORDER BY n.published_at DESC, n.article_id DESC),
           row_number() OVER (ORDER BY ts_rank(r.rank_vector, query) DESC, n.published_at DESC, n.article_id DESC)
      FROM newest n JOIN articles_searchentry r ON r.article_id = n.article_id
$$;

INSERT INTO articles_searchentry (article_id, status, published_at, section_id, rank_vector, vector)
SELECT id, status, published_at, section_id, articles_searchentry_rank_vector(title, standfirst), search_vector
  FROM articles_article;
ANALYZE articles_searchentry;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS articles_search_ranked(tsquery, timestamptz, integer, integer, timestamptz, timestamptz,
                                               integer, text);
DROP TRIGGER IF EXISTS articles_searchentry_truncate ON articles_article;
DROP TRIGGER IF EXISTS articles_searchentry_sync ON articles_article;
DROP FUNCTION IF EXISTS articles_searchentry_truncate();
DROP FUNCTION IF EXISTS articles_searchentry_sync();
DROP TABLE IF EXISTS articles_searchentry;
DROP FUNCTION IF EXISTS articles_searchentry_rank_vector(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_search_reindex")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
