"""The JSON of each resource, built from the rows that api.queries reads (no query per item).

Dates are ISO 8601 in UTC; every `url` is the reader page's absolute address;
Markdown parts are given as the sanitised HTML the site itself shows.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from articles.doi import doi_url
from articles.models import Source
from articles.source_types import parse_author_line

ARTICLE_SUMMARY = (
    "id",
    "slug",
    "url",
    "title",
    "standfirst",
    "published_at",
    "updated_at",
    "reading_time",
    "featured",
    "section",
    "hero_image",
)
ARTICLE_INCLUDES = ("authors", "tags", "brief", "sources")
# The parts of the brief, in page order.
BRIEF_FIELDS = (
    "highlights",
    "intro_html",
    "findings",
    "sections",
    "signals",
    "limitations",
    "bottom_line_html",
    "corrections",
)
ARTICLE_FIELDS = (*ARTICLE_SUMMARY, "authors", "tags", *BRIEF_FIELDS, "sources")
EVIDENCE_LABELS = dict(Source.Evidence.choices)
KIND_LABELS = dict(Source.Kind.choices)


def _absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_URL}{path}"


def _time(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # from a JSON aggregate
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def section_json(section) -> dict:
    return {
        "slug": section.slug,
        "name": section.name,
        "description": section.description,
        "url": _absolute(reverse("articles:section", kwargs={"slug": section.slug})),
    }


def _section_ref(section) -> dict | None:
    if section is None:
        return None
    return {"slug": section.slug, "name": section.name}


def author_json(author) -> dict:
    photo = author["photo"] if isinstance(author, dict) else author.photo.name
    slug, name, bio = (
        (author["slug"], author["name"], author["bio"])
        if isinstance(author, dict)
        else (
            author.slug,
            author.name,
            author.bio,
        )
    )
    return {
        "slug": slug,
        "name": name,
        "bio": bio,
        "photo": _absolute(default_storage.url(photo)) if photo else None,
        "url": _absolute(reverse("articles:author", kwargs={"slug": slug})),
    }


def tag_json(tag) -> dict:
    slug, name = (tag["slug"], tag["name"]) if isinstance(tag, dict) else (tag.slug, tag.name)
    return {"slug": slug, "name": name, "url": _absolute(reverse("articles:tag", kwargs={"slug": slug}))}


def _creator_json(line: str) -> dict:
    # The articles app decides what a stored line means ("org: Name", "Family, Given", a legacy bare
    # name), so the API and the reader page never disagree about who wrote a source.
    creator = parse_author_line(line)
    if creator.is_organisation:
        return {"type": "organisation", "name": creator.organisation}
    return {"type": "person", "family": creator.family, "given": creator.given, "name": creator.display_name}


def source_json(source) -> dict:
    """A source from a Source row or from a `brief_citations` JSON row (articles.queries._SOURCE_FIELDS)."""
    row = source if isinstance(source, dict) else {f: getattr(source, f) for f in _SOURCE_KEYS}
    lines = [line for line in (row["authors"] or "").splitlines() if line.strip()]
    doi = row["doi"] or None
    return {
        "id": row["id"],
        "kind": row["kind"],
        "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
        "title": row["title"],
        "authors": [_creator_json(line) for line in lines],
        "year": row["year"],
        "container": row["container"],
        "publisher": row["publisher"],
        "institution": row["institution"],
        "volume": row["volume"],
        "issue": row["issue"],
        "pages": row["pages"],
        "doi": doi,
        "doi_url": doi_url(doi) if doi else None,
        "url": row["url"] or None,
        "evidence": row["evidence"],
        "evidence_label": EVIDENCE_LABELS.get(row["evidence"], row["evidence"]),
        "page_url": _absolute(reverse("articles:source", kwargs={"pk": row["id"]})),
    }


_SOURCE_KEYS = (
    "id",
    "kind",
    "title",
    "authors",
    "year",
    "container",
    "publisher",
    "institution",
    "volume",
    "issue",
    "pages",
    "doi",
    "url",
    "evidence",
)


def brief_ref(row: dict) -> dict:
    return {
        "slug": row["slug"],
        "title": row["title"],
        "url": _absolute(reverse("articles:detail", kwargs={"slug": row["slug"]})),
        "published_at": _time(row["published_at"]),
    }


def source_with_briefs_json(source) -> dict:
    return {**source_json(source), "briefs": [brief_ref(row) for row in source.citing_briefs or []]}


def _hero(article) -> dict | None:
    if not article.hero_image:
        return None
    return {
        "url": _absolute(article.hero_image.url),
        "alt": article.hero_alt,
        "caption": article.hero_caption,
        "credit": article.hero_credit,
    }


def _brief(article) -> dict:
    return {
        "highlights": [row["text"] for row in article.brief_highlights or []],
        "intro_html": article.intro_html,
        "findings": [
            {"headline": row["headline"], "explanation_html": row["explanation_html"]}
            for row in article.brief_findings or []
        ],
        "sections": [
            {"heading": row["heading"], "body_html": row["body_html"]} for row in article.brief_sections or []
        ],
        "signals": [{"kind": row["kind"], "text": row["text"]} for row in article.brief_signals or []],
        "limitations": [{"label": row["label"], "text": row["text"]} for row in article.brief_limitations or []],
        "bottom_line_html": article.bottom_line_html,
        "corrections": [{"date": row["date"], "text": row["text"]} for row in article.brief_corrections or []],
    }


def article_json(article, *, include=ARTICLE_INCLUDES, fields=None) -> dict:
    """An article row from api.queries.article_rows as JSON: the summary, plus what `include` names,
    narrowed to `fields` when given."""
    data = {
        "id": article.id,
        "slug": article.slug,
        "url": _absolute(reverse("articles:detail", kwargs={"slug": article.slug})),
        "title": article.title,
        "standfirst": article.standfirst,
        "published_at": _time(article.published_at),
        "updated_at": _time(article.significant_update_at),
        "reading_time": article.reading_time,
        "featured": article.featured,
        "section": _section_ref(article.section),
        "hero_image": _hero(article),
    }
    if "authors" in include:
        data["authors"] = [author_json(row) for row in article.brief_authors or []]
    if "tags" in include:
        data["tags"] = [tag_json(row) for row in article.brief_tags or []]
    if "brief" in include:
        data.update(_brief(article))
    if "sources" in include:
        data["sources"] = [source_json(row) for row in article.brief_citations or []]
    if fields:
        data = {name: value for name, value in data.items() if name in fields}
    return data
