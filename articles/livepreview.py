"""The live preview beside the article form: the brief as readers will see it, from the form's unsaved data.

The admin page posts the whole form (debounced, as the editor types); this turns the posted fields and
inline rows into a snapshot, builds an unsaved article from it (articles.sharing.article_from_snapshot)
and renders it with the public page's own view code and template: the same Markdown rendering and the
same sanitiser (articles.markdown) as a saved article, so what is previewed is what will be served.
Nothing is saved. A newly chosen hero image file is not uploaded by the preview: it shows the saved one.
"""

from datetime import date

from django.utils.dateparse import parse_date

from articles.markdown import render_markdown
from articles.models import BRIEF_PARTS, Article
from articles.services import publish_gate_missing
from articles.sharing import article_from_snapshot

# The article's own fields an editor types, as posted by the admin form.
TEXT_FIELDS = ("title", "slug", "standfirst", "intro", "bottom_line", "hero_alt", "hero_caption", "hero_credit")
# Derived HTML of a part: its column -> the Markdown field it is rendered from (as the part's save() does).
DERIVED_HTML = {"explanation_html": "explanation", "body_html": "body"}
# Foreign keys of parts, posted by their field name.
PART_KEYS = {"author": "author_id", "source": "source_id"}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _part_rows(data, part) -> list[dict]:
    prefix = part.related_name
    total = _int(data.get(f"{prefix}-TOTAL_FORMS")) or 0
    rows = []
    for i in range(min(total, 1000)):
        key = f"{prefix}-{i}-"
        if data.get(f"{key}DELETE"):
            continue
        row = {"id": _int(data.get(f"{key}id")) or -(i + 1), "position": _int(data.get(f"{key}position")) or 0}
        names = {*part.text_fields, *(part.reader_fields or ()), *part.model._meta.ordering, "kind", "label", "date"}
        for name in names:
            if name in DERIVED_HTML or name in ("id", "position"):
                continue
            if f"{key}{name}" in data:
                row[name] = data.get(f"{key}{name}")
        for field, attname in PART_KEYS.items():
            if f"{key}{field}" in data:
                row[attname] = _int(data.get(f"{key}{field}"))
        for html, source in DERIVED_HTML.items():
            if source in row:
                row[html] = render_markdown(row[source])
        if "date" in row:
            row["date"] = parse_date(row["date"] or "") or date.today()
        # An untouched extra row (nothing typed, nothing chosen) is not part of the brief.
        typed = [value for name, value in row.items() if name not in ("id", "position", "kind", "date") and value]
        if typed:
            rows.append(row)
    return rows


def snapshot_from_form_data(data, *, current: Article) -> dict:
    article = {f.attname: f.value_from_object(current) for f in Article._meta.concrete_fields}
    for name in TEXT_FIELDS:
        if name in data:
            article[name] = data.get(name, "")
    if "section" in data:
        article["section_id"] = _int(data.get("section"))
    for name in ("hero_focal_x", "hero_focal_y"):
        try:
            article[name] = min(max(float(data.get(name, "")), 0.0), 1.0)
        except ValueError:
            pass
    parts = {part.model._meta.model_name: _part_rows(data, part) for part in BRIEF_PARTS}
    return {"article": article, "parts": parts}


def live_preview(data, *, current: Article) -> tuple[Article, list[str]]:
    """The unsaved article to render, and what the publish gate would still refuse."""
    snapshot = snapshot_from_form_data(data, current=current)
    article = article_from_snapshot(snapshot, current=current)
    if not article.slug:
        article.slug = "preview"
    if article.pk is None:
        # Not saved yet: an id no row has, so the page's lookups (comments, related) find nothing.
        article.pk = 0
    missing = publish_gate_missing(article, has_byline=bool(snapshot["parts"]["articleauthor"]))
    return article, missing


def gate_items(article) -> list[str]:
    """Every item of the publish gate that applies to `article`, in publish_gate_missing's words."""
    items = ["a title", "a standfirst", "a section", "at least one author"]
    if article.hero_image:
        items += ["alt text for the hero image", "a credit for the hero image"]
    return items
