"""State-changing writes on articles: the editorial workflow and what is derived after a save.

Every workflow move is a keyword-only function `article_<action>(*, article, by, note="")` that locks the
row (SELECT ... FOR UPDATE), refuses a move the workflow does not allow with a WorkflowError whose
message says why, and logs a Transition (who, when, from, to, note) in the same transaction.

    draft ──submit──▶ review ──publish(at)──▶ published (scheduled while `at` is in the future)
      ▲                 │                         │
      └─return_to_draft─┘                     unpublish
      ▲                                           ▼
      └──────────return_to_draft────────── unpublished ──publish──▶ published
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article, Transition
from articles.search import refresh_search_vector

S = Article.Status


class WorkflowError(Exception):
    """A refused workflow move. `str(error)` is a complete sentence for the editor; `missing` lists gate items."""

    def __init__(self, message: str, *, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


# --- Permissions (the admin asks the same questions, so the rules live in one place) -----------


def can_publish(user) -> bool:
    return user.is_active and user.has_perm("articles.publish_article")


def can_edit_any(user) -> bool:
    return user.is_active and user.has_perm("articles.edit_any_article")


def can_edit(user, article) -> bool:
    """Editors edit everything; writers edit only their own drafts (and their own returned work)."""
    if not (user.is_active and user.has_perm("articles.change_article")):
        return False
    if can_edit_any(user):
        return True
    return article.created_by_id == user.pk and article.status in (S.DRAFT, S.UNPUBLISHED)


# --- The publish gate --------------------------------------------------------------------------


def publish_gate_missing(article) -> list[str]:
    """Everything the article still needs before it may be published, in the order an editor fixes them."""
    missing = []
    if not article.title.strip():
        missing.append("a title")
    if not article.standfirst.strip():
        missing.append("a standfirst")
    if article.section_id is None:
        missing.append("a section")
    if not article.bylines.exists():
        missing.append("at least one author")
    if article.hero_image:
        if not article.hero_alt.strip():
            missing.append("alt text for the hero image")
        if not article.hero_credit.strip():
            missing.append("a credit for the hero image")
    return missing


# --- Moves ------------------------------------------------------------------------------------


def _locked(article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _log(locked: Article, *, from_status: str, by, note: str) -> Transition:
    return Transition.objects.create(
        article=locked, from_status=from_status, to_status=locked.status, by=by, note=note.strip()
    )


def _sync(article: Article, locked: Article) -> None:
    """Let the caller's instance see what was written (status, times, version)."""
    for field in ("status", "published_at", "first_published_at", "version", "updated_at"):
        setattr(article, field, getattr(locked, field))


def _refuse_unless(locked: Article, allowed: set, action: str) -> None:
    if locked.status not in allowed:
        names = " or ".join(sorted(str(S(s).label).lower() for s in allowed))
        raise WorkflowError(
            f"“{locked.title}” cannot be {action}: it is {locked.display_status.lower()}, "
            f"and only {names} articles can be {action}."
        )


def article_submit(*, article, by, note: str = "") -> Article:
    """Send a draft to the editors for review."""
    with transaction.atomic():
        locked = _locked(article)
        if not (can_edit_any(by) or locked.created_by_id == by.pk):
            raise WorkflowError("You can submit only your own articles for review.")
        _refuse_unless(locked, {S.DRAFT, S.UNPUBLISHED}, "submitted for review")
        from_status = locked.status
        locked.status = S.REVIEW
        locked.save(update_fields=["status"])
        _log(locked, from_status=from_status, by=by, note=note)
    _sync(article, locked)
    return article


def article_return_to_draft(*, article, by, note: str = "") -> Article:
    """Send an article in review (or an unpublished one) back to its writer as a draft."""
    with transaction.atomic():
        locked = _locked(article)
        own_review = locked.created_by_id == by.pk and locked.status == S.REVIEW
        if not (can_publish(by) or own_review):
            raise WorkflowError("Only an editor can return someone else's article to draft.")
        _refuse_unless(locked, {S.REVIEW, S.UNPUBLISHED}, "returned to draft")
        from_status = locked.status
        locked.status = S.DRAFT
        locked.save(update_fields=["status"])
        _log(locked, from_status=from_status, by=by, note=note)
    _sync(article, locked)
    return article


def article_publish(*, article, by, at: datetime | None = None, note: str = "") -> Article:
    """Publish now, or schedule for `at` when it is in the future.

    No job is needed at that time: `Article.objects.published()` compares the publication time with now.
    A scheduled article may be published again to move its time. The first publication sets
    `first_published_at`, which later publications keep.
    """
    if at is not None and timezone.is_naive(at):
        raise WorkflowError("The publication time needs a time zone.")
    with transaction.atomic():
        locked = _locked(article)
        if not can_publish(by):
            raise WorkflowError("Only editors can publish or schedule articles.")
        if locked.is_live:
            raise WorkflowError(f"“{locked.title}” is already published.")
        allowed = {S.REVIEW, S.UNPUBLISHED} | ({S.PUBLISHED} if locked.is_scheduled else set())
        if locked.status == S.DRAFT:
            raise WorkflowError(f"“{locked.title}” is a draft: submit it for review before publishing it.")
        _refuse_unless(locked, allowed, "published")
        missing = publish_gate_missing(locked)
        if missing:
            raise WorkflowError(
                f"“{locked.title or 'This article'}” cannot be published yet. It needs: {', '.join(missing)}.",
                missing=missing,
            )
        now = timezone.now()
        from_status = locked.status
        locked.status = S.PUBLISHED
        locked.published_at = at or now
        if locked.first_published_at is None or locked.first_published_at > now:
            locked.first_published_at = locked.published_at
        locked.save(update_fields=["status", "published_at", "first_published_at"])
        if locked.published_at > now:
            when = date_format(timezone.localtime(locked.published_at), "j M Y, H:i T")
            note = f"Scheduled for {when}. {note}"
        _log(locked, from_status=from_status, by=by, note=note)
    _sync(article, locked)
    return article


def article_approve(*, article, by, at: datetime | None = None, note: str = "") -> Article:
    """An editor approves an article in review: it is published now or at `at`."""
    return article_publish(article=article, by=by, at=at, note=note)


def article_unpublish(*, article, by, note: str = "") -> Article:
    """Take a published (or scheduled) article off the site. Its address answers 404 until it is republished."""
    with transaction.atomic():
        locked = _locked(article)
        if not can_publish(by):
            raise WorkflowError("Only editors can unpublish articles.")
        _refuse_unless(locked, {S.PUBLISHED}, "unpublished")
        now = timezone.now()
        from_status = locked.status
        locked.status = S.UNPUBLISHED
        fields = ["status"]
        if locked.first_published_at and locked.first_published_at > now:
            # It was only ever scheduled: it has not been published, so it has no first publication yet.
            locked.first_published_at = None
            fields.append("first_published_at")
        locked.save(update_fields=fields)
        _log(locked, from_status=from_status, by=by, note=note)
    _sync(article, locked)
    return article


# --- Derived data -------------------------------------------------------------------------------


def article_refresh(*, article) -> None:
    """Recompute what is derived from the article *and* its parts: reading time and the search vector.

    Call it after the article's inline parts are saved (the admin's save_related, load_demo);
    Article.save() alone runs before its parts exist.
    """
    reading_time = article.compute_reading_time()
    Article.objects.filter(pk=article.pk).update(reading_time=reading_time)
    article.reading_time = reading_time
    refresh_search_vector(article)


# --- Revisions (django-reversion) -------------------------------------------------------------

# Kept as they are when an old revision is restored: the workflow moves only through the services
# above, the address only forward, and `version` only up (it guards against lost edits).
KEPT_ON_RESTORE = (
    "status",
    "published_at",
    "first_published_at",
    "created_by_id",
    "created_at",
    "slug",
    "version",
    "hero_renditions",
)


def article_restore_revision(*, article, version, by) -> Article:
    """Bring back the article's text and all its inline parts as they were saved in `version`'s revision.

    Parts added since are deleted and parts removed since come back. The workflow state, publication
    times and slug stay as they are now. The restore is itself recorded as a new revision.
    """
    import reversion
    from django.db import IntegrityError
    from reversion.errors import RevertError

    with transaction.atomic(), reversion.create_revision():
        locked = _locked(article)
        kept = {field: getattr(locked, field) for field in KEPT_ON_RESTORE}
        hero_before = locked.hero_image.name or ""
        try:
            with transaction.atomic():
                version.revision.revert(delete=True)
        except (RevertError, IntegrityError) as exc:
            raise WorkflowError(
                f"This revision cannot be restored: it refers to something that no longer exists ({exc})."
            ) from exc
        restored = Article.objects.get(pk=locked.pk)
        for field, value in kept.items():
            setattr(restored, field, value)
        restored.save()
        if (restored.hero_image.name or "") != hero_before:
            restored._refresh_renditions()
        article_refresh(article=restored)
        when = date_format(timezone.localtime(version.revision.date_created), "j M Y, H:i:s")
        reversion.set_user(by)
        reversion.set_comment(f"Restored the version saved on {when}.")
    _sync(article, restored)
    return restored


def _part_lines(model_name: str, data: dict) -> list[str]:
    from articles.models import Author, Source

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
    return []


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
PART_ORDER = [
    "articleauthor",
    "highlight",
    "finding",
    "briefsection",
    "signal",
    "limitation",
    "citation",
    "correction",
]


def _field_values(obj) -> dict:
    # Keyed by attname (section_id, author_id), as django-reversion's field_dict is.
    return {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}


def article_snapshot(article) -> dict:
    """The article and its parts as plain field values, in the same shape as revision_snapshot()."""
    parts = {name: [] for name in PART_ORDER}
    for related in ("bylines", "highlights", "findings", "sections", "signals", "limitations", "citations"):
        for obj in getattr(article, related).all():
            parts[obj._meta.model_name].append(_field_values(obj))
    for obj in article.corrections.all():
        parts["correction"].append(_field_values(obj))
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
    from articles.models import Section

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
