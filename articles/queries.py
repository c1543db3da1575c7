"""Reads for the reader site: the brief of an article in ONE query.

A brief has nine kinds of child rows (bylines, highlights, findings, free
sections, signals, limitations, citations with their sources, corrections,
tags). Prefetching them costs one query each, which would blow the article
page's budget of 8 queries before comments and the sidebar are counted. So
PostgreSQL aggregates each kind into a JSON array inside the article's own
row (`ARRAY(SELECT json_build_object(...) ... ORDER BY position)`), and
`attach_brief` turns those arrays back into unsaved model instances, so the
templates use the ordinary model API (`get_kind_display`, `doi_url`, ...).

The page therefore costs the same whatever the number of parts. Lists use
the same annotations (only the parts they show) so feeds and cards are one
query too.
"""

from datetime import date, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.db.models.functions import JSONObject
from taggit.models import Tag, TaggedItem

from articles.models import BRIEF_PARTS, ArticleAuthor, Author, Citation, Correction, Signal, Source

# The parts the article's row carries as JSON arrays, from the one declaration (articles.models.BRIEF_PARTS):
# attribute on the article ("brief_highlights") -> the part. Parts without `reader_fields` are built
# here from joins (bylines, citations) or a different order (corrections): see `JOINED_PARTS`.
_BRIEF_PARTS = {f"brief_{part.related_name}": part for part in BRIEF_PARTS if part.reader_fields is not None}
# Parts `with_brief` builds by hand, by their related name; every other part must declare reader_fields.
JOINED_PARTS = {"bylines": "brief_authors", "citations": "brief_citations", "corrections": "brief_corrections"}

_SOURCE_FIELDS = [
    "id",
    "kind",
    "publisher",
    "institution",
    "citation_key",
    "authors",
    "year",
    "title",
    "container",
    "volume",
    "issue",
    "pages",
    "doi",
    "url",
    "evidence",
    "updated_at",
]
_AUTHOR_FIELDS = ["id", "name", "slug", "bio", "photo"]


def _rows(model, fields, order=("position", "id")):
    row = JSONObject(**{name: name for name in fields})
    return ArraySubquery(model.objects.filter(article=OuterRef("pk")).order_by(*order).values(row=row))


def _authors_rows():
    return ArraySubquery(
        ArticleAuthor.objects.filter(article=OuterRef("pk"))
        .order_by("position", "id")
        .values(row=JSONObject(**{name: f"author__{name}" for name in _AUTHOR_FIELDS}))
    )


def _citation_rows():
    return ArraySubquery(
        Citation.objects.filter(article=OuterRef("pk"))
        .order_by("position", "id")
        .values(row=JSONObject(**{name: f"source__{name}" for name in _SOURCE_FIELDS}))
    )


def _tag_rows():
    return ArraySubquery(
        TaggedItem.objects.filter(
            object_id=OuterRef("pk"), content_type__app_label="articles", content_type__model="article"
        )
        .order_by("tag__name")
        .values(row=JSONObject(id="tag__id", name="tag__name", slug="tag__slug"))
    )


def with_bylines(queryset):
    """Authors and tags in the same row: what list cards and feeds show."""
    return queryset.select_related("section").annotate(brief_authors=_authors_rows(), brief_tags=_tag_rows())


def with_brief(queryset):
    """Everything the article page, its JSON-LD and the feeds need, in the article's own row."""
    annotations = {name: _rows(part.model, part.reader_fields, part.ordering) for name, part in _BRIEF_PARTS.items()}
    return with_bylines(queryset).annotate(
        **annotations,
        brief_citations=_citation_rows(),
        brief_corrections=_rows(Correction, ("id", "date", "text"), order=("date", "id")),
    )


def _instances(model, rows, **extra):
    objects = []
    for row in rows or []:
        objects.append(model(**{**row, **extra}))
    return objects


def _source(row) -> Source:
    row = dict(row)
    if row.get("updated_at"):
        row["updated_at"] = datetime.fromisoformat(row["updated_at"])
    return Source(**row)


def attach_brief(article):
    """Turn the JSON arrays from `with_brief`/`with_bylines` into model instances on the article."""
    article.byline_authors = _instances(Author, getattr(article, "brief_authors", None))
    article.tag_list = _instances(Tag, getattr(article, "brief_tags", None))
    if not hasattr(article, "brief_highlights"):
        return article
    for name, part in _BRIEF_PARTS.items():
        setattr(article, f"{part.related_name}_list", _instances(part.model, getattr(article, name), article=article))
    article.solid_signals = [s for s in article.signals_list if s.kind == Signal.Kind.SOLID]
    article.speculative_signals = [s for s in article.signals_list if s.kind == Signal.Kind.SPECULATIVE]
    article.sources = [_source(row) for row in article.brief_citations or []]
    article.correction_list = [
        Correction(id=row["id"], date=date.fromisoformat(row["date"]), text=row["text"], article=article)
        for row in article.brief_corrections or []
    ]
    return article


def attach_all(articles):
    return [attach_brief(article) for article in articles]
