"""Akismet, as WordPress sites use it: optional, on when AKISMET_API_KEY is set.

- Every new comment that the local rules did not already call spam is checked
  (comment-check). "true" makes it spam, "true" with `X-akismet-pro-tip:
  discard` blatant spam (kept as spam all the same: nothing is ever deleted
  unseen), "false" leaves the local verdict.
- Akismet unreachable, slow, answering nonsense or refusing the key: the
  comment is never lost. It is held for an editor and marked "unavailable";
  `manage.py recheck_akismet` (cron) asks again later.
- Editors' decisions go back to Akismet: marking a comment spam sends
  submit-spam; approving one that Akismet or the spam filter had caught sends
  submit-ham.

Talks to Akismet through the `akismet` client; AKISMET_API_URL only changes
where it connects (tests use a local fake of the API, never the real one).
"""

import logging

import akismet
import httpx
from django.conf import settings

from comments.models import Comment

logger = logging.getLogger(__name__)

_DEFAULT_API = "https://rest.akismet.com"
# Anything that means "no usable answer now": network errors, timeouts, 5xx, unexpected text, a refused key.
UNAVAILABLE_ERRORS = (akismet.AkismetError, httpx.HTTPError, OSError)


class _ApiAddressTransport(httpx.HTTPTransport):
    """Sends the client's requests to AKISMET_API_URL instead of the address the library has built in."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = httpx.URL(base)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme=self.base.scheme, host=self.base.host, port=self.base.port)
        request.headers["Host"] = self.base.netloc.decode()
        return super().handle_request(request)


def akismet_enabled() -> bool:
    return bool(settings.AKISMET_API_KEY)


def _client() -> akismet.SyncClient:
    transport = (
        _ApiAddressTransport(settings.AKISMET_API_URL)
        if settings.AKISMET_API_URL != _DEFAULT_API
        else httpx.HTTPTransport(retries=1)
    )
    http = httpx.Client(
        transport=transport,
        timeout=settings.AKISMET_TIMEOUT_SECONDS,
        headers={"User-Agent": f"Reex/1 | {akismet.USER_AGENT}"},
    )
    # Not validated_client(): that costs a verify-key round trip per comment; a bad key shows up
    # as an "invalid" answer (APIKeyError), handled like an outage and logged.
    return akismet.SyncClient(
        config=akismet.Config(key=settings.AKISMET_API_KEY, url=settings.SITE_URL), http_client=http
    )


def _arguments(comment: Comment) -> dict:
    return {
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.name,
        "comment_author_email": comment.email,
        "comment_author_url": comment.url,
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.isoformat(),
        "permalink": f"{settings.SITE_URL}{comment.article.get_absolute_url()}",
        "blog_lang": "en",
        "blog_charset": "UTF-8",
    }


def akismet_check(*, comment: Comment) -> str:
    """Ask Akismet about `comment`: one of Comment.Akismet's values (UNAVAILABLE on any failure)."""
    try:
        with _client() as client:
            answer = client.comment_check(**_arguments(comment))
    except UNAVAILABLE_ERRORS:
        logger.warning("comments: Akismet unavailable for comment %s; held, will recheck", comment.pk, exc_info=True)
        return Comment.Akismet.UNAVAILABLE
    return {
        akismet.CheckResponse.HAM: Comment.Akismet.HAM,
        akismet.CheckResponse.SPAM: Comment.Akismet.SPAM,
        akismet.CheckResponse.DISCARD: Comment.Akismet.DISCARD,
    }[answer]


def akismet_submit(*, comment: Comment, spam: bool) -> None:
    """Tell Akismet an editor's decision (submit-spam or submit-ham). Raises UNAVAILABLE_ERRORS on failure."""
    with _client() as client:
        if spam:
            client.submit_spam(**_arguments(comment))
        else:
            client.submit_ham(**_arguments(comment))


# --- services: what the answers do to comments -----------------------------------------------


def apply_akismet_answer(comment: Comment, answer: str, *, recheck: bool = False) -> None:
    """Set status and reason from Akismet's answer; an outage holds the comment for an editor and a recheck."""
    comment.akismet = answer
    prefix = "Akismet (recheck)" if recheck else "Akismet"
    if answer == Comment.Akismet.SPAM:
        comment.status, comment.moderation_reason = Comment.Status.SPAM, f"{prefix}: spam."
    elif answer == Comment.Akismet.DISCARD:
        comment.status, comment.moderation_reason = Comment.Status.SPAM, f"{prefix}: blatant spam (discard)."
    elif answer == Comment.Akismet.UNAVAILABLE:
        # An auto-approval's reason no longer applies; a hold's reason still does.
        held_for = comment.moderation_reason if comment.status == Comment.Status.PENDING else ""
        comment.status = Comment.Status.PENDING
        comment.moderation_reason = " ".join(filter(None, [held_for, "Akismet unavailable: held, will recheck."]))


def comments_akismet_recheck(*, limit: int = 200) -> dict[str, int]:
    """Ask Akismet again about held comments it could not check (an outage). Returns counts by answer.

    Only comments still pending: an editor's decision meanwhile stands. A
    "not spam" answer leaves the comment held (an editor approves it); spam
    moves it to Spam. Stops at the first failure: Akismet is still down.
    """
    counts = {"ham": 0, "spam": 0, "discard": 0, "unavailable": 0}
    batch = Comment.objects.pending().filter(akismet=Comment.Akismet.UNAVAILABLE).select_related("article")
    for comment in batch.order_by("id")[:limit]:
        answer = akismet_check(comment=comment)
        counts[answer] += 1
        if answer == Comment.Akismet.UNAVAILABLE:
            break
        apply_akismet_answer(comment, answer, recheck=True)
        Comment.objects.filter(pk=comment.pk, status=Comment.Status.PENDING).update(
            akismet=comment.akismet, status=comment.status, moderation_reason=comment.moderation_reason
        )
    return counts


def comment_akismet_feedback(*, comment_id: int, spam: bool) -> bool:
    """Send an editor's decision to Akismet (submit-spam / submit-ham). True if sent.

    Akismet errors are raised (the task logs them). Records the decision on
    the comment, so a repeated decision is not sent twice.
    """
    if not akismet_enabled():
        return False
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    wanted = Comment.Akismet.SPAM if spam else Comment.Akismet.HAM
    if comment is None or comment.akismet == wanted or not comment.email:
        return False
    akismet_submit(comment=comment, spam=spam)
    Comment.objects.filter(pk=comment.pk).update(akismet=wanted)
    return True
