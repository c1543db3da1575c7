"""Building admin POST data for an article and its inlines, as the browser would send it."""

from django.utils import timezone

from articles.models import Article

INLINE_PREFIXES = [
    "bylines",
    "highlights",
    "findings",
    "sections",
    "signals",
    "limitations",
    "citations",
    "corrections",
]


def inline_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        if prefix != "corrections":
            row = {"position": "0", **row}  # what the browser posts for an untouched order field
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def article_post_data(*, article: Article | None = None, inlines: dict | None = None, **fields) -> dict:
    """Form data for the article change form. Without `article`, for the add form."""
    data = {
        "title": "",
        "slug": "",
        "standfirst": "",
        "section": "",
        "new_tags": "",
        "allow_comments": "on",
        "hero_alt": "",
        "hero_caption": "",
        "hero_credit": "",
        "intro": "",
        "bottom_line": "",
        "published_at_0": "",
        "published_at_1": "",
        "significant_update_at_0": "",
        "significant_update_at_1": "",
    }
    if article is not None:
        data.update(
            {
                "title": article.title,
                "slug": article.slug,
                "standfirst": article.standfirst,
                "section": str(article.section_id or ""),
                "intro": article.intro,
                "bottom_line": article.bottom_line,
                "hero_alt": article.hero_alt,
                "hero_caption": article.hero_caption,
                "hero_credit": article.hero_credit,
                "expected_version": str(article.version),
            }
        )
        if article.published_at:
            local = timezone.localtime(article.published_at)
            data["published_at_0"], data["published_at_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
        if not article.allow_comments:
            data.pop("allow_comments")
        data["tags"] = [str(t.pk) for t in article.tags.all()]
    data.update({k: v for k, v in fields.items() if v is not None})
    inlines = inlines or {}
    for prefix in INLINE_PREFIXES:
        rows, initial = (
            inlines.get(prefix, ([], 0))
            if isinstance(inlines.get(prefix), tuple)
            else (
                inlines.get(prefix, []),
                0,
            )
        )
        data.update(inline_data(prefix, rows, initial))
    return data


def existing_rows(article) -> dict:
    """Inline rows for every existing part of `article`, unchanged, as the change form would post them."""

    def rows(queryset, fields):
        out = []
        for obj in queryset:
            row = {"id": str(obj.pk), "article": str(article.pk)}
            for field in fields:
                value = getattr(obj, f"{field}_id") if hasattr(obj, f"{field}_id") else getattr(obj, field)
                row[field] = "" if value is None else str(value)
            out.append(row)
        return (out, len(out))

    return {
        "bylines": rows(article.bylines.all(), ["author", "position"]),
        "highlights": rows(article.highlights.all(), ["text", "position"]),
        "findings": rows(article.findings.all(), ["headline", "explanation", "position"]),
        "sections": rows(article.sections.all(), ["heading", "body", "position"]),
        "signals": rows(article.signals.all(), ["kind", "text", "position"]),
        "limitations": rows(article.limitations.all(), ["label", "text", "position"]),
        "citations": rows(article.citations.all(), ["source", "position"]),
        "corrections": rows(article.corrections.all(), ["date", "text"]),
    }
