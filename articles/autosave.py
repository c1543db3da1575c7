"""Autosave of the article form: no lost work after a crash, and no way around the edit-conflict check.

The admin page posts the form every few seconds while the editor types (static/js/article_desk.js).
The data is kept in ArticleAutosave, one row per editor and article, and nothing else changes: no
revision, no new article version. When the editor comes back to the form after the browser died, the
page offers the autosaved text; restoring puts it in the form, including the version it started from,
so saving it after someone else's save is refused like any stale save. A successful save of the form
(or "Discard") removes the autosave.
"""

from django.db import transaction
from django.utils import timezone

from articles.models import ArticleAutosave

# Form fields not worth keeping: the CSRF token and the save buttons.
SKIPPED = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_saveasnew"}
MAX_BYTES = 1_000_000


class AutosaveTooLarge(ValueError):
    pass


def _form_values(data) -> dict:
    return {key: data.getlist(key) for key in data if key not in SKIPPED}


def autosave_store(*, article, user, data) -> ArticleAutosave:
    """Keep the posted form for `user` and `article` (None: a new article). Idempotent: one row, replaced."""
    values = _form_values(data)
    if sum(len(v) for vs in values.values() for v in vs) > MAX_BYTES:
        raise AutosaveTooLarge("The form is too large to autosave.")
    version = (values.get("expected_version") or [""])[0]
    with transaction.atomic():
        autosave, _ = ArticleAutosave.objects.update_or_create(
            article=article,
            user=user,
            defaults={
                "data": values,
                "base_version": int(version) if version.isdigit() else None,
                "saved_at": timezone.now(),
            },
        )
    return autosave


def autosave_for(*, article, user) -> ArticleAutosave | None:
    """The autosave to offer, if any. Kept even when the article was saved by someone else since:
    that is when the text matters most (the page says the save will be refused as a conflict)."""
    return ArticleAutosave.objects.filter(article=article, user=user).first()


def autosave_discard(*, article, user) -> None:
    ArticleAutosave.objects.filter(article=article, user=user).delete()
