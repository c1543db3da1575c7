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
