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
    """The articles app's one domain error: a refused move or write, never a bug.

    `str(error)` is a complete sentence for the editor, which the admin shows as a message as it is;
    `missing` lists what the publish gate still wants. Every service here refuses with it, never
    with `assert`, a bare ValueError or PermissionDenied.
    """

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


def publish_gate_missing(article, *, has_byline: bool | None = None) -> list[str]:
    """Everything the article still needs before it may be published, in the order an editor fixes them.

    `has_byline` answers for an unsaved article (the live preview of the admin form) instead of its rows.
    """
    missing = []
    if not article.title.strip():
        missing.append("a title")
    if not article.standfirst.strip():
        missing.append("a standfirst")
    if article.section_id is None:
        missing.append("a section")
    if not (article.bylines.exists() if has_byline is None else has_byline):
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


def _status_refusal(article: Article, allowed: set, action: str) -> str | None:
    if article.status in allowed:
        return None
    names = " or ".join(sorted(str(S(s).label).lower() for s in allowed))
    return (
        f"“{article.title}” cannot be {action}: it is {article.display_status.lower()}, "
        f"and only {names} articles can be {action}."
    )


# Why each move is refused to `by` for the article as it is, or None when it is allowed. The moves below
# check these on the locked row, and article_moves_available() asks them, so the rules are written once.


def _submit_refusal(article: Article, by) -> str | None:
    if not (can_edit_any(by) or article.created_by_id == by.pk):
        return "You can submit only your own articles for review."
    return _status_refusal(article, {S.DRAFT, S.UNPUBLISHED}, "submitted for review")


def _return_to_draft_refusal(article: Article, by) -> str | None:
    own_review = article.created_by_id == by.pk and article.status == S.REVIEW
    if not (can_publish(by) or own_review):
        return "Only an editor can return someone else's article to draft."
    return _status_refusal(article, {S.REVIEW, S.UNPUBLISHED}, "returned to draft")


def _publish_refusal(article: Article, by) -> str | None:
    """Who may publish what, in which state; the publish gate (what the article still lacks) comes after."""
    if not can_publish(by):
        return "Only editors can publish or schedule articles."
    if article.is_live:
        return f"“{article.title}” is already published."
    if article.status == S.DRAFT:
        return f"“{article.title}” is a draft: submit it for review before publishing it."
    allowed = {S.REVIEW, S.UNPUBLISHED} | ({S.PUBLISHED} if article.is_scheduled else set())
    return _status_refusal(article, allowed, "published")


def _unpublish_refusal(article: Article, by) -> str | None:
    if not can_publish(by):
        return "Only editors can unpublish articles."
    return _status_refusal(article, {S.PUBLISHED}, "unpublished")


_REFUSALS = {
    "submit": _submit_refusal,
    "publish": _publish_refusal,
    "unpublish": _unpublish_refusal,
    "return_to_draft": _return_to_draft_refusal,
}


def article_moves_available(*, article, user) -> list[str]:
    """The workflow moves `user` may make on `article` now, in the order the admin offers them.

    Each is one of "submit", "publish", "unpublish", "return_to_draft", named like its service
    (`article_<move>`). "publish" is offered even when the publish gate would still refuse it:
    the editor then sees what the article lacks.
    """
    return [move for move, refusal in _REFUSALS.items() if refusal(article, user) is None]


def _refuse(refusal: str | None) -> None:
    if refusal:
        raise WorkflowError(refusal)


def article_submit(*, article, by, note: str = "") -> Article:
    """Send a draft to the editors for review."""
    with transaction.atomic():
        locked = _locked(article)
        _refuse(_submit_refusal(locked, by))
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
        _refuse(_return_to_draft_refusal(locked, by))
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
        _refuse(_publish_refusal(locked, by))
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


def article_unpublish(*, article, by, note: str = "") -> Article:
    """Take a published (or scheduled) article off the site. Its address answers 404 until it is republished."""
    with transaction.atomic():
        locked = _locked(article)
        _refuse(_unpublish_refusal(locked, by))
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
