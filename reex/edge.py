"""Edge caches (Varnish, a CDN) in front of the app: shared-cache headers, cache tags, purge by tag.

Every reader page the page cache (reex/pagecache.py) would share between anonymous readers is also
offered to an edge cache: it carries `Cache-Control` with a long `s-maxage` (purges keep it right),
`stale-while-revalidate` and `stale-if-error`, and a short browser `max-age`; and it carries the
tags of what it shows, in the header each edge reads (`xkey` for Varnish, `Surrogate-Key` for
Fastly, `Cache-Tag` for Cloudflare). Pages shaped for one visitor never get these headers: the
page cache leaves them private (staff, a pending comment, previews, form errors, POST).

The tags mirror the page cache's generations, so the two layers forget the same pages:
- `article-<slug>`: an article's own page (its generation);
- `lists`: every page that lists articles or counts comments (home, sections, tags, authors,
  archives, sources, feeds, sitemaps);
- `nav`: every reader page (the sidebar's recent news, the sections menu).
Pages also carry what they are about (`home`, `section-<slug>`, `tag-<slug>`, `author-<slug>`,
`source-<id>`, `feeds`, `sitemaps`, `search`) so an operator can purge one by hand.

Purging happens where the page cache invalidates (pagecache.invalidate_article / invalidate_lists
call `purge()`): the tags of one transaction are gathered, and after it commits (never before: an
edge refetching then would store the old page again) one background task per backend sends them.
A failed purge is logged and retried with backoff; it never blocks or fails the save.

Backends are configured in settings.EDGE_PURGE_BACKENDS (built from EDGE_* environment variables):
{"name": {"BACKEND": "reex.edge.VarnishBackend", "OPTIONS": {...}}}.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from email.utils import parsedate_to_datetime
from functools import cache as memoize
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

LISTS = "lists"
NAV = "nav"
# One name per edge: Varnish (vmod_xkey), Fastly, Cloudflare.
TAG_HEADERS = ("xkey", "Surrogate-Key", "Cache-Tag")


def tag(*parts: object) -> str:
    """One cache tag from its parts ("article", slug): ASCII with no space or comma, whatever the slug.

    Slugs can be unicode (a tag named "日本"), and header values and every edge's tag syntax
    are ASCII, separated by spaces or commas: those are percent-encoded.
    """
    return "-".join(quote(str(part), safe="-_.~") for part in parts)


def article_tag(slug: str) -> str:
    return tag("article", slug)


# --- headers -----------------------------------------------------------------------------


def set_shared_headers(response, *, tags: Iterable[str], browser_seconds: int, edge_seconds: float, capped: bool):
    """Mark `response` as one page for every reader: shared-cache lifetimes and its tags.

    `edge_seconds` is how long an edge may keep it; `capped` says that lifetime ends at the next
    scheduled publication, so no edge may serve it stale past then while it revalidates.
    """
    edge = max(0, min(settings.EDGE_CACHE_SECONDS, math.floor(edge_seconds)))
    browser = max(0, min(browser_seconds, edge))
    parts = ["public", f"max-age={browser}"]
    if settings.EDGE_CACHE_SECONDS <= 0:
        parts.append("must-revalidate")  # no edge configured: the page cache's own 304s keep browsers right
    else:
        parts.append(f"s-maxage={edge}")
        if not capped and settings.EDGE_STALE_WHILE_REVALIDATE > 0:
            parts.append(f"stale-while-revalidate={settings.EDGE_STALE_WHILE_REVALIDATE}")
        if settings.EDGE_STALE_IF_ERROR > 0:
            parts.append(f"stale-if-error={settings.EDGE_STALE_IF_ERROR}")
    response["Cache-Control"] = ", ".join(parts)
    set_tags(response, tags)


def set_tags(response, tags: Iterable[str]) -> None:
    unique = sorted(set(tags))
    if not unique:
        return
    response["xkey"] = " ".join(unique)
    response["Surrogate-Key"] = " ".join(unique)
    response["Cache-Tag"] = ",".join(unique)


# --- purging -----------------------------------------------------------------------------


class PurgeError(Exception):
    """A purge the edge did not accept; `retry_after` is the wait it asked for (a rate limit), if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


def _retry_after(headers) -> float | None:
    """The wait a rate-limited answer asks for: Retry-After (seconds or a date), or Fastly's reset time."""
    if not headers:
        return None
    value = headers.get("Retry-After")
    reset = headers.get("Fastly-RateLimit-Reset")  # epoch seconds when the hourly budget refills
    if not value and reset and reset.isdigit():
        return max(0.0, int(reset) - timezone.now().timestamp())
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
        except (TypeError, ValueError):
            return None


def _http(method: str, url: str, *, headers: dict, body: bytes | None = None, timeout: float) -> tuple[int, bytes]:
    """One HTTP request; (status, body) for any answer, PurgeError when there is none."""
    if urlsplit(url).scheme not in ("http", "https"):
        # Purge URLs come from settings; anything but HTTP(S) (file:, ftp:) is a configuration error.
        raise PurgeError(f"not an http(s) URL: {url!r}", permanent=True)
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 (checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310  # nosec B310 (http(s) only)
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        payload = error.read()
        status = error.code
        if status == 429 or status >= 500:
            raise PurgeError(
                f"{method} {url}: HTTP {status} {payload[:200]!r}", retry_after=_retry_after(error.headers)
            ) from error
        raise PurgeError(
            f"{method} {url}: HTTP {status} {payload[:200]!r}", permanent=status in (400, 401, 403, 404)
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise PurgeError(f"{method} {url}: {error}") from error


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class VarnishBackend:
    """Varnish with vmod_xkey (deploy/varnish/reex.vcl): `PURGE` with an `xkey-softpurge` header.

    A soft purge keeps the old page in grace: the next reader gets it once while Varnish fetches
    the new one, and if the app is down readers keep getting it instead of an error.
    """

    def __init__(self, *, urls: list[str], timeout: float = 5.0, soft: bool = True):
        self.urls = urls
        self.timeout = timeout
        self.header = "xkey-softpurge" if soft else "xkey-purge"

    def purge(self, tags: list[str]) -> None:
        failures = []
        for url in self.urls:
            for batch in _batches(tags, 100):
                try:
                    _http("PURGE", url, headers={self.header: " ".join(batch)}, timeout=self.timeout)
                except PurgeError as error:
                    failures.append(error)
        if failures:
            raise PurgeError("; ".join(str(f) for f in failures), retry_after=failures[0].retry_after)


class FastlyBackend:
    """Fastly: POST /service/<id>/purge with a Surrogate-Key header (up to 256 keys), soft purge by default."""

    def __init__(self, *, service_id: str, api_token: str, api_url: str = "https://api.fastly.com", **kw):
        self.url = f"{api_url.rstrip('/')}/service/{quote(service_id)}/purge"
        self.api_token = api_token
        self.soft = kw.get("soft", True)
        self.timeout = kw.get("timeout", 10.0)

    def purge(self, tags: list[str]) -> None:
        for batch in _batches(tags, 256):
            headers = {"Fastly-Key": self.api_token, "Surrogate-Key": " ".join(batch), "Accept": "application/json"}
            if self.soft:
                headers["Fastly-Soft-Purge"] = "1"
            _status, body = _http("POST", self.url, headers=headers, timeout=self.timeout)
            # A 200 answers {"<key>": "<purge id>", ...}: every key we sent must be there.
            answered = json.loads(body or b"{}")
            missing = [key for key in batch if key not in answered]
            if missing:
                raise PurgeError(f"Fastly did not confirm {missing}")


class CloudflareBackend:
    """Cloudflare: POST /zones/<zone>/purge_cache {"tags": [...]} (30 tags per call), bearer token."""

    def __init__(self, *, zone_id: str, api_token: str, api_url: str = "https://api.cloudflare.com/client/v4", **kw):
        self.url = f"{api_url.rstrip('/')}/zones/{quote(zone_id)}/purge_cache"
        self.api_token = api_token
        self.timeout = kw.get("timeout", 10.0)

    def purge(self, tags: list[str]) -> None:
        for batch in _batches(tags, 30):
            headers = {"Authorization": f"Bearer {self.api_token}", "Content-Type": "application/json"}
            _status, body = _http(
                "POST", self.url, headers=headers, body=json.dumps({"tags": batch}).encode(), timeout=self.timeout
            )
            answer = json.loads(body or b"{}")
            if not answer.get("success"):
                raise PurgeError(f"Cloudflare refused the purge: {answer.get('errors')}")


# CloudFront has no tags, only paths: apps say which paths a tag stands for (None: unknown, purge "/*").
_tag_paths: list[Callable[[str], list[str] | None]] = []


def register_tag_paths(resolver: Callable[[str], list[str] | None]) -> None:
    """For path-only edges (CloudFront): `resolver(tag)` returns the URL paths that tag covers, or None."""
    if resolver not in _tag_paths:
        _tag_paths.append(resolver)


def paths_for_tags(tags: list[str]) -> list[str]:
    paths: set[str] = set()
    for each in tags:
        found = None
        for resolver in _tag_paths:
            found = resolver(each)
            if found is not None:
                break
        if found is None:
            return ["/*"]  # a tag we cannot map (a list, the navigation): everything
        paths.update(found)
    return sorted(paths)


class CloudFrontBackend:
    """Amazon CloudFront: one CreateInvalidation per purge, for the paths the tags stand for."""

    def __init__(self, *, distribution_id: str, endpoint_url: str | None = None, **kw):
        self.distribution_id = distribution_id
        self.endpoint_url = endpoint_url
        self.client_options = kw

    def purge(self, tags: list[str]) -> None:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        client = boto3.client(
            "cloudfront",
            endpoint_url=self.endpoint_url,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=10),
            **self.client_options,
        )
        paths = paths_for_tags(tags)
        try:
            client.create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": uuid.uuid4().hex,
                },
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            retryable = code in ("Throttling", "TooManyInvalidationsInProgress", "ServiceUnavailable")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            raise PurgeError(
                f"CloudFront {code}: {error}", permanent=not retryable and status < 500, retry_after=None
            ) from error
        except BotoCoreError as error:
            raise PurgeError(f"CloudFront: {error}") from error


@memoize
def _backend(name: str):
    config = settings.EDGE_PURGE_BACKENDS[name]
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


@receiver(setting_changed)
def backends_changed(*, setting, **kwargs) -> None:
    """Forget the built backends when the setting changes (tests)."""
    if setting == "EDGE_PURGE_BACKENDS":
        _backend.cache_clear()


_pending = threading.local()


# Called with the `rebump` keys at commit, just before the purge is queued (the page cache registers it).
_before_send: list[Callable[[str], None]] = []


def register_before_send(callback: Callable[[str], None]) -> None:
    if callback not in _before_send:
        _before_send.append(callback)


def purge(tags: Iterable[str], *, rebump: Iterable[str] = ()) -> None:
    """Ask every configured edge to forget the pages with these tags, once the transaction commits.

    `rebump`: page-cache generation keys to bump again at commit, before the purge goes out. A
    reader's request between the page cache's bump and the commit renders the old rows and stores
    them under the new generation; the edge, purged at commit, would fetch exactly that page.
    Never raises: a purge that cannot even be queued is logged (the page cache is already right,
    and the edge pages expire by themselves).
    """
    if not settings.EDGE_PURGE_BACKENDS:
        return
    pending = getattr(_pending, "tags", None)
    if pending is None:
        pending = _pending.tags = set()
        _pending.rebump = set()
    pending.update(tags)
    _pending.rebump.update(rebump)
    # One callback per call, but the first to run after the commit sends every pending tag and the
    # others find nothing left: one purge per transaction. A rolled-back transaction's tags go out
    # with the next commit (a harmless extra purge) rather than being tracked per savepoint.
    try:
        transaction.on_commit(_flush, robust=True)
    except Exception:
        logger.exception("edge purge: could not wait for the commit; purging now")
        _flush()


def _flush() -> None:
    tags = sorted(getattr(_pending, "tags", None) or ())
    rebump = sorted(getattr(_pending, "rebump", None) or ())
    _pending.tags, _pending.rebump = set(), set()
    for key in rebump:
        for callback in _before_send:
            callback(key)
    if not tags:
        return
    for name in settings.EDGE_PURGE_BACKENDS:
        try:
            edge_purge_task.enqueue(backend=name, tags=tags, attempt=1)
        except Exception:
            logger.exception("edge purge: could not queue the purge of %s on %s", tags, name)


def edge_purge(*, backend: str, tags: list[str], attempt: int = 1) -> bool:
    """Send one purge to one edge; on failure log it and queue a retry with backoff. True when it went through.

    Retries up to EDGE_PURGE_MAX_ATTEMPTS, waiting what a rate limit asked for (Retry-After) or
    EDGE_PURGE_RETRY_SECONDS doubled at each attempt. Refusals that no retry can change (bad
    credentials, an unknown zone) are logged as errors and not retried.
    """
    try:
        _backend(backend).purge(list(tags))
    except PurgeError as error:
        failure = error
    else:
        logger.info("edge purge on %s: %s", backend, tags)
        return True
    # Outside the except block, so a retry run at once (a backend that cannot defer) is not
    # logged with this failure's traceback attached.
    if failure.permanent or attempt >= settings.EDGE_PURGE_MAX_ATTEMPTS:
        logger.error("edge purge on %s failed for good (attempt %s): %s; tags %s", backend, attempt, failure, tags)
        return False
    delay = failure.retry_after
    if delay is None:
        delay = settings.EDGE_PURGE_RETRY_SECONDS * 2 ** (attempt - 1)
    logger.warning("edge purge on %s failed (attempt %s), retrying in %.0fs: %s", backend, attempt, delay, failure)
    retry = edge_purge_task
    if retry.get_backend().supports_defer and delay > 0:
        retry = retry.using(run_after=timezone.now() + timedelta(seconds=delay))
    try:
        retry.enqueue(backend=backend, tags=list(tags), attempt=attempt + 1)
    except Exception:
        logger.exception("edge purge: could not queue the retry on %s", backend)
    return False


@task
def edge_purge_task(backend: str, tags: list[str], attempt: int = 1) -> bool:
    return edge_purge(backend=backend, tags=tags, attempt=attempt)
