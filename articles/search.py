"""Full-text search: the stored, weighted search vector of an article.

Weights: A = title; B = standfirst and highlights; C = the rest of the brief
(intro, findings, free sections, signals, limitations, bottom line) and the
cited sources (title, authors without the "org: " marker, container, publisher, issuing
organisation, year, DOI). The vector is stored in `Article.search_vector` (GIN-indexed)
and refreshed after every save of an article and its parts, so a search never
computes vectors at query time.

`reex_english` (articles/migrations/0007_search_unaccent.py) is PostgreSQL's
English configuration with `unaccent` in front of the stemmer: "Ñuñoa", "nunoa"
and "NUÑOA" are one lexeme, in the stored vectors and in every query.

The vocabulary (`articles_searchword`, a trigram-indexed list of the words of
published articles) is what "Did you mean" suggests from. Words are added when a
published article's vector is refreshed and the table is rebuilt from published
articles only by `search_vocabulary_rebuild` (`manage.py search_vocabulary`).
A suggestion is also checked against published articles before it is shown
(articles.search_query), so a word that only a draft, or an unpublished
article, still contributes is never revealed.
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value
from django.utils.html import strip_tags

from articles.source_types import ORG_MARKER

SEARCH_CONFIG = "reex_english"
# Words shorter than this are not worth correcting; longer ones are not words.
WORD_LENGTHS = (3, 40)


def _document(article) -> dict[str, str]:
    highlights = [h.text for h in article.highlights.all()]
    rest = [
        strip_tags(article.intro_html) or article.intro,
        strip_tags(article.bottom_line_html) or article.bottom_line,
    ]
    rest += [f"{f.headline} {f.explanation}" for f in article.findings.all()]
    rest += [f"{s.heading} {s.body}" for s in article.sections.all()]
    rest += [s.text for s in article.signals.all()]
    rest += [f"{lim.label} {lim.text}" for lim in article.limitations.all()]
    for citation in article.citations.select_related("source"):
        source = citation.source
        rest.append(
            f"{source.title} {_authors_text(source.authors)} {source.container} {source.publisher} "
            f"{source.institution} {source.year or ''} {source.doi or ''}"
        )
    tags = [tag.name for tag in article.tags.all()]
    return {
        "A": article.title,
        "B": " ".join([article.standfirst, *highlights]),
        "C": " ".join([*rest, *tags]),
    }


def _authors_text(authors: str) -> str:
    # "org: U.S. Geological Survey" is stored so exports can tell an organisation from a person;
    # the marker is not a word of the work's, so it is not indexed (nor offered by "Did you mean").
    return " ".join(ORG_MARKER.sub("", line.strip()) for line in authors.splitlines())


def refresh_search_vector(article) -> None:
    """Recompute and store the article's search vector from its current rows."""
    from articles.models import Article

    document = _document(article)
    vector = (
        SearchVector(Value(document["A"]), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Value(document["B"]), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(document["C"]), weight="C", config=SEARCH_CONFIG)
    )
    Article.objects.filter(pk=article.pk).update(search_vector=vector)
    if Article.objects.published().filter(pk=article.pk).exists():
        _vocabulary_add(" ".join(document.values()))


_WORDS_SQL = """
    SELECT DISTINCT lower(w) FROM regexp_split_to_table(%s, '[^[:alpha:]]+') AS w
     WHERE length(w) BETWEEN %s AND %s
"""


def _vocabulary_add(text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO articles_searchword (word) {_WORDS_SQL} ON CONFLICT DO NOTHING",  # noqa: S608 -- constant
            [text, *WORD_LENGTHS],
        )


# The text of `_document`, in SQL, for the rebuild: one statement instead of a query per article.
_DOCUMENT_SQL = """
    concat_ws(' ', a.title, a.standfirst,
        (SELECT string_agg(h.text, ' ') FROM articles_highlight h WHERE h.article_id = a.id),
        regexp_replace(a.intro_html, '<[^>]+>', ' ', 'g'),
        regexp_replace(a.bottom_line_html, '<[^>]+>', ' ', 'g'),
        (SELECT string_agg(f.headline || ' ' || f.explanation, ' ') FROM articles_finding f WHERE f.article_id = a.id),
        (SELECT string_agg(s.heading || ' ' || s.body, ' ') FROM articles_briefsection s WHERE s.article_id = a.id),
        (SELECT string_agg(s.text, ' ') FROM articles_signal s WHERE s.article_id = a.id),
        (SELECT string_agg(l.label || ' ' || l.text, ' ') FROM articles_limitation l WHERE l.article_id = a.id),
        (SELECT string_agg(concat_ws(' ', src.title,
                                     regexp_replace(src.authors, '^[[:blank:]]*org:[[:blank:]]*', '', 'gin'),
                                     src.container, src.publisher, src.institution), ' ')
           FROM articles_citation c JOIN articles_source src ON src.id = c.source_id WHERE c.article_id = a.id),
        (SELECT string_agg(t.name, ' ') FROM taggit_taggeditem ti JOIN taggit_tag t ON t.id = ti.tag_id
          WHERE ti.object_id = a.id AND ti.content_type_id = %s))
"""


def search_vocabulary_rebuild() -> int:
    """Replace the "Did you mean" vocabulary with the words of the articles published now; return its size.

    One transaction: searches during the rebuild see the old list until it commits.
    """
    from django.contrib.contenttypes.models import ContentType

    from articles.models import Article

    published = Article.objects.published().values("pk")
    ids_sql, ids_params = published.query.sql_with_params()
    content_type = ContentType.objects.get_for_model(Article).pk
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_searchword")
        cursor.execute(
            f"""
            INSERT INTO articles_searchword (word)
            SELECT DISTINCT lower(w) FROM articles_article a,
                   regexp_split_to_table({_DOCUMENT_SQL}, '[^[:alpha:]]+') AS w
             WHERE a.id IN ({ids_sql}) AND length(w) BETWEEN %s AND %s
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 -- constant SQL and Django's own; every value is a parameter  # nosec B608
            [content_type, *ids_params, *WORD_LENGTHS],
        )
        cursor.execute("SELECT count(*) FROM articles_searchword")
        return cursor.fetchone()[0]


def search_entries_rebuild() -> int:
    """Refill the narrow search table (`articles_searchentry`) from `articles_article`; return its size.

    Triggers keep it in step with every write; this is for writes that bypass triggers, such as
    a bulk load with `session_replication_role = replica` (seed_scale, a restore).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO articles_searchentry (article_id, status, published_at, section_id, rank_vector, vector)
            SELECT id, status, published_at, section_id, articles_searchentry_rank_vector(title, standfirst),
                   search_vector
              FROM articles_article
            ON CONFLICT (article_id) DO UPDATE SET
                status = EXCLUDED.status, published_at = EXCLUDED.published_at, section_id = EXCLUDED.section_id,
                rank_vector = EXCLUDED.rank_vector, vector = EXCLUDED.vector
            """
        )
        cursor.execute("DELETE FROM articles_searchentry WHERE article_id NOT IN (SELECT id FROM articles_article)")
        cursor.execute("SELECT count(*) FROM articles_searchentry")
        return cursor.fetchone()[0]
