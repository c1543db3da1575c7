"""Revisions of an article as readable text: snapshots of the article and its parts, and their diff.

A snapshot is the article's field values and its inline parts' field values, taken either from
the database now (`article_snapshot`) or from a django-reversion revision (`revision_snapshot`),
in the same shape, so that the admin can compare any two of them line by line
(`snapshot_lines`, `diff_table`). Restoring a revision is a write, in services.py.
"""

import difflib

from django.utils import timezone
from django.utils.formats import date_format

from articles.models import BRIEF_PARTS, Article, Author, Section, Source


def _part_lines(model_name: str, data: dict) -> list[str]:
    def block(label, text):
        lines = [line.rstrip() for line in str(text or "").splitlines() if line.strip()]
        return [f"{label}: {lines[0] if lines else ''}", *[f"    {line}" for line in lines[1:]]]

    if model_name == "articleauthor":
        return [f"Byline: {Author.objects.filter(pk=data.get('author_id')).values_list('name', flat=True).first()}"]
    if model_name == "highlight":
        return block("Highlight", data.get("text"))
    if model_name == "finding":
        return block("Finding", data.get("headline")) + block("  explanation", data.get("explanation"))
    if model_name == "briefsection":
        return block("Free section", data.get("heading")) + block("  body", data.get("body"))
    if model_name == "signal":
        return block(f"Signal ({data.get('kind')})", data.get("text"))
    if model_name == "limitation":
        return block(f"Limitation, {data.get('label')}", data.get("text"))
    if model_name == "citation":
        source = Source.objects.filter(pk=data.get("source_id")).first()
        return [f"Citation: {source or '(deleted source)'}"]
    if model_name == "correction":
        return block(f"Correction, {data.get('date')}", data.get("text"))
    # A part with no wording of its own above: its label and text fields, as declared.
    part = next(part for part in BRIEF_PARTS if part.model._meta.model_name == model_name)
    fields = part.text_fields or ("id",)
    lines = block(part.label, data.get(fields[0]))
    for field in fields[1:]:
        lines += block(f"  {field}", data.get(field))
    return lines


SNAPSHOT_FIELDS = [
    ("Title", "title"),
    ("Slug", "slug"),
    ("Standfirst", "standfirst"),
    ("Section", "section_id"),
    ("Featured", "featured"),
    ("Comments allowed", "allow_comments"),
    ("Hero image", "hero_image"),
    ("Hero alt text", "hero_alt"),
    ("Hero caption", "hero_caption"),
    ("Hero credit", "hero_credit"),
    ("Intro", "intro"),
    ("Bottom line", "bottom_line"),
    ("Updated", "significant_update_at"),
]
# The parts in reading order, by model name (what django-reversion's versions record).
PART_ORDER = [part.model._meta.model_name for part in BRIEF_PARTS]


def _field_values(obj) -> dict:
    # Keyed by attname (section_id, author_id), as django-reversion's field_dict is.
    return {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}


def article_snapshot(article) -> dict:
    """The article and its parts as plain field values, in the same shape as revision_snapshot()."""
    parts = {name: [] for name in PART_ORDER}
    for part in BRIEF_PARTS:
        for obj in getattr(article, part.related_name).all():
            parts[obj._meta.model_name].append(_field_values(obj))
    return {"article": _field_values(Article.objects.get(pk=article.pk)), "parts": parts}


def revision_snapshot(revision, article_pk) -> dict:
    parts = {name: [] for name in PART_ORDER}
    article = {}
    for version in revision.version_set.select_related("content_type"):
        model_name = version.content_type.model
        data = version.field_dict
        if model_name == "article" and str(version.object_id) == str(article_pk):
            article = data
        elif model_name in parts and data.get("article_id") == article_pk:
            parts[model_name].append({**data, "id": int(version.object_id)})
    return {"article": article, "parts": parts}


def snapshot_lines(snapshot) -> list[str]:
    """Readable lines of a snapshot, for a diff: one field per line, parts in reading order."""
    data = snapshot["article"]
    lines = []
    for label, field in SNAPSHOT_FIELDS:
        value = data.get(field)
        if field == "section_id":
            value = Section.objects.filter(pk=value).values_list("name", flat=True).first() if value else ""
        text = str(value if value not in (None, "") else "—")
        first, *rest = text.splitlines() or [""]
        lines.append(f"{label}: {first}")
        lines += [f"    {line}" for line in rest if line.strip()]
    for model_name in PART_ORDER:
        for part in sorted(snapshot["parts"][model_name], key=lambda d: (d.get("position", 0), d.get("id") or 0)):
            lines += _part_lines(model_name, part)
    return lines


def revision_label(version) -> str:
    user = version.revision.user.get_username() if version.revision.user else "unknown"
    return f"{date_format(timezone.localtime(version.revision.date_created), 'j M Y, H:i:s')} by {user}"


def diff_table(old_lines, new_lines, old_label, new_label) -> str:
    """A side-by-side table of what changed (difflib escapes the text itself)."""
    if old_lines == new_lines:
        return ""
    # No wrapcolumn: the text wraps by CSS (pre-wrap), which reads better than difflib's hard breaks.
    table = difflib.HtmlDiff().make_table(
        old_lines, new_lines, fromdesc=old_label, todesc=new_label, context=True, numlines=2
    )
    # difflib marks text cells nowrap and pads with &nbsp;; let long paragraphs wrap inside their column.
    return table.replace(' nowrap="nowrap"', "").replace("&nbsp;", " ")
