"""Share links for outside reviewers: one row per link (articles.models.ShareLink), each revocable.

An editor makes a link for someone without an account (the paper's author, an outside expert). A link
is either *pinned* to the revision it was made from, so the reviewer reads exactly that text whatever
is edited later, or follows the *latest* saved text. It expires (PREVIEW_LINK_MAX_AGE by default, or
what the editor chose) and can be revoked at once. Only a digest of the token is stored.

The bare signed links of earlier versions (the article id signed with a timestamp) could not be
revoked; they are retired: they answer 410 and say so (`is_retired_signed_link`).
"""

import hashlib
import secrets
from datetime import date, timedelta

import reversion
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from articles.markdown import render_markdown, word_count
from articles.models import BRIEF_PARTS, WORDS_PER_MINUTE, Article, Author, Section, ShareLink, Source
from articles.queries import _AUTHOR_FIELDS, _BRIEF_PARTS, _SOURCE_FIELDS
from articles.revisions import article_snapshot, revision_snapshot, snapshot_lines

DEFAULT_MAX_AGE = timedelta(days=7)
# The lifetimes an editor may choose, in days; the default (PREVIEW_LINK_MAX_AGE) is added if missing.
LIFETIME_CHOICES_DAYS = (1, 3, 7, 14, 30)
# The salt of the retired signed links, kept only to recognise them.
RETIRED_SIGNED_SALT = "articles.preview.share"


def share_max_age() -> timedelta:
    return getattr(settings, "PREVIEW_LINK_MAX_AGE", DEFAULT_MAX_AGE)


def lifetime_choices() -> list[int]:
    return sorted({*LIFETIME_CHOICES_DAYS, max(1, share_max_age().days)})


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _current_revision(article, by):
    """The revision holding the article as it is saved now, made if the newest one differs (or none exists).

    Admin saves make a revision each time, but services and imports may change rows without one; pinning
    to a revision that differs from what the editor sees would show the reviewer something else.
    """
    latest = Version.objects.get_for_object(article).select_related("revision").first()
    now_lines = snapshot_lines(article_snapshot(article))
    if latest is not None and snapshot_lines(revision_snapshot(latest.revision, article.pk)) == now_lines:
        return latest.revision
    with reversion.create_revision(atomic=False):
        reversion.add_to_revision(Article.objects.get(pk=article.pk))
        reversion.set_user(by)
        reversion.set_comment("Saved for a pinned share link.")
    return Version.objects.get_for_object(article).select_related("revision").first().revision


def share_link_create(*, article, by, pinned: bool, lifetime: timedelta | None = None) -> tuple[ShareLink, str]:
    """Make a share link; returns the row and the token, which is not stored and can be shown only now."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        revision = _current_revision(article, by) if pinned else None
        link = ShareLink.objects.create(
            article=article,
            token_digest=token_digest(token),
            token_hint=token[-6:],
            revision=revision,
            created_by=by,
            expires_at=timezone.now() + (lifetime or share_max_age()),
        )
    return link, token


def share_link_revoke(*, link, by) -> ShareLink:
    """Revoke a link at once. Idempotent: revoking twice keeps the first time and who did it."""
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=by)
    link.refresh_from_db()
    return link


def share_link_for_token(token: str) -> ShareLink | None:
    return ShareLink.objects.select_related("article", "revision").filter(token_digest=token_digest(token)).first()


def is_retired_signed_link(token: str) -> bool:
    """A genuine link of the old kind (article id + timestamp, signed): retired, not forged."""
    try:
        signing.TimestampSigner(salt=RETIRED_SIGNED_SALT).unsign(token)
    except signing.BadSignature:
        return False
    return True


def share_link_note(link) -> str:
    """What the reviewer is told about the version they read."""
    if link.is_pinned:
        when = date_format(timezone.localtime(link.revision.date_created), "j M Y, H:i T")
        return f"Pinned version: the text as saved on {when}. Later edits do not show on this link."
    return "Latest version: this link always shows the text as last saved."


# --- The article as it was in a revision ------------------------------------------------------------


def _ordered(rows, ordering):
    def key(row):
        return tuple((row.get(field.lstrip("-")) is None, row.get(field.lstrip("-")) or 0) for field in ordering)

    return sorted(rows, key=key)


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def pinned_article(link) -> Article:
    """An unsaved Article holding the text of the link's revision, shaped as the reader page expects."""
    current = Article.objects.get(pk=link.article_id)
    return article_from_snapshot(revision_snapshot(link.revision, current.pk), current=current)


def article_from_snapshot(snapshot, *, current) -> Article:
    """An unsaved Article built from a snapshot's field values and parts, shaped as the reader page expects.

    The rows are built the way articles.queries.with_brief carries them (JSON-like dicts), so that
    render_article renders it with the same template and the same sanitised HTML as the public page.
    Workflow state (status, times) and tags are `current`'s: snapshots do not hold them. Used for pinned
    share links (a revision) and the live preview of the admin form (articles.livepreview).
    """
    data = snapshot["article"]
    fields = {f.attname: data[f.attname] for f in Article._meta.concrete_fields if f.attname in data}
    article = Article(**fields)
    for name in ("id", "status", "published_at", "first_published_at", "created_by_id", "version"):
        setattr(article, name, getattr(current, name))
    if article.section_id and not Section.objects.filter(pk=article.section_id).exists():
        article.section_id = None
    article.hero_renditions = current.hero_renditions if article.hero_image.name == current.hero_image.name else {}
    article.intro_html = render_markdown(article.intro)
    article.bottom_line_html = render_markdown(article.bottom_line)

    parts = snapshot["parts"]
    texts = [article.title, article.standfirst, article.intro, article.bottom_line]
    for part in BRIEF_PARTS:
        if part.reading_time:
            for row in parts[part.model._meta.model_name]:
                texts += [row.get(field) or "" for field in part.text_fields]
    article.reading_time = max(1, round(word_count(*texts) / WORDS_PER_MINUTE))

    for attr, part in _BRIEF_PARTS.items():
        rows = _ordered(parts[part.model._meta.model_name], part.ordering)
        setattr(article, attr, [{field: row.get(field) for field in part.reader_fields} for row in rows])
    bylines = _ordered(parts["articleauthor"], ["position", "id"])
    authors = {
        row["id"]: row
        for row in Author.objects.filter(pk__in=[b["author_id"] for b in bylines]).values(*_AUTHOR_FIELDS)
    }
    article.brief_authors = [authors[b["author_id"]] for b in bylines if b["author_id"] in authors]
    citations = _ordered(parts["citation"], ["position", "id"])
    sources = {
        row["id"]: {**row, "updated_at": _iso(row["updated_at"])}
        for row in Source.objects.filter(pk__in=[c["source_id"] for c in citations]).values(*_SOURCE_FIELDS)
    }
    article.brief_citations = [sources[c["source_id"]] for c in citations if c["source_id"] in sources]
    corrections = _ordered(parts["correction"], ["date", "id"])
    article.brief_corrections = [{"id": c["id"], "date": _iso(c["date"]), "text": c["text"]} for c in corrections]
    article.brief_tags = list(current.tags.order_by("name").values("id", "name", "slug")) if current.pk else []
    return article
