"""Recompute every stored search vector with `reex_english` (unaccent + English), and fill the
"Did you mean" vocabulary from published articles.

Frozen SQL with the same parts and weights as articles/search.py at the time of writing (a
migration must not import code that keeps changing). At 100,000 articles this takes a few
minutes; see docs/operations.md.
"""

from django.db import migrations

TAGS = """
    (SELECT string_agg(t.name, ' ') FROM taggit_taggeditem ti
       JOIN taggit_tag t ON t.id = ti.tag_id
       JOIN django_content_type ct ON ct.id = ti.content_type_id
      WHERE ti.object_id = a.id AND ct.app_label = 'articles' AND ct.model = 'article')
"""

REST = f"""
    concat_ws(' ',
        COALESCE(NULLIF(regexp_replace(a.intro_html, '<[^>]+>', ' ', 'g'), ''), a.intro),
        COALESCE(NULLIF(regexp_replace(a.bottom_line_html, '<[^>]+>', ' ', 'g'), ''), a.bottom_line),
        (SELECT string_agg(f.headline || ' ' || f.explanation, ' ') FROM articles_finding f WHERE f.article_id = a.id),
        (SELECT string_agg(s.heading || ' ' || s.body, ' ') FROM articles_briefsection s WHERE s.article_id = a.id),
        (SELECT string_agg(s.text, ' ') FROM articles_signal s WHERE s.article_id = a.id),
        (SELECT string_agg(l.label || ' ' || l.text, ' ') FROM articles_limitation l WHERE l.article_id = a.id),
        (SELECT string_agg(concat_ws(' ', src.title, src.authors, src.container, src.year, src.doi), ' ')
           FROM articles_citation c JOIN articles_source src ON src.id = c.source_id WHERE c.article_id = a.id),
        {TAGS})
"""

STANDFIRST = """
    a.standfirst || ' ' || COALESCE(
        (SELECT string_agg(h.text, ' ') FROM articles_highlight h WHERE h.article_id = a.id), '')
"""

VECTORS = f"""
UPDATE articles_article a SET search_vector =
    setweight(to_tsvector('reex_english', a.title), 'A')
    || setweight(to_tsvector('reex_english', {STANDFIRST}), 'B')
    || setweight(to_tsvector('reex_english', {REST}), 'C')
"""

VOCABULARY = f"""
INSERT INTO articles_searchword (word)
SELECT DISTINCT lower(w) FROM articles_article a,
    regexp_split_to_table(concat_ws(' ', a.title, {STANDFIRST}, {REST}), '[^[:alpha:]]+') AS w
 WHERE a.status = 'published' AND a.published_at <= now() AND length(w) BETWEEN 3 AND 40
ON CONFLICT DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_unaccent")]

    operations = [
        migrations.RunSQL(VECTORS, migrations.RunSQL.noop, elidable=True),
        migrations.RunSQL(VOCABULARY, "DELETE FROM articles_searchword", elidable=True),
    ]
