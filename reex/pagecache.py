"""Whole-page caching of reader pages for anonymous visitors.

A news site is read in spikes, so the pages every anonymous reader sees
(home, articles, sections, tags, authors, archives, sources, feeds, sitemaps)
are stored whole in Django's default cache (Redis when REDIS_URL is set) and
replayed without touching the database.

Invalidation is by generation counters that are part of every cache key:
- one counter per article slug (the article page),
- one for lists (home, section, tag, author, archive, source pages, feeds,
  sitemaps: anything that lists articles or shows comment counts),
- one for "navigation" (what every page shows around its content: the recent
  news in the sidebar, the sections menu, author boxes).
Changing something is an O(1) `incr` of the right counters; stale entries are
never read again and expire by themselves. Because the counters live in the
shared cache, this is correct across any number of app servers.

What is never cached: anything but GET/HEAD 200 from a reader URL; visitors
with a session (staff, logged-in) or any cookie in PAGE_CACHE_BYPASS_COOKIES
(flash messages, a pending comment); responses that set cookies, are marked
private or no-store, embed a per-visitor CSRF token, or whose view set
`request.reex_no_cache = True`.

Scheduled articles: no cached page outlives the next scheduled publication,
because every entry's lifetime is capped at the seconds left until it.

The CSP nonce of a cached page is replaced by a fresh one on every replay
(in the body and in the Content-Security-Policy header), so cached pages do
not share a nonce between visitors.

The page cache knows no app. Each app tells it, from its AppConfig.ready(), what it needs to know
(see "registries" below): which views are reader pages (`reader_page`), which cookies mean a
visitor's page is their own (`register_bypass_cookies`), how to look up an article's page and
the next scheduled publication (`register_articles`), and which model changes forget which
pages (`invalidate_on_change`, or the app's own signal handlers calling `invalidate_article`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.csp import generate_nonce

logger = logging.getLogger(__name__)

KEY_PREFIX = "pagecache"
LISTS_GEN = f"{KEY_PREFIX}:gen:lists"
NAV_GEN = f"{KEY_PREFIX}:gen:nav"
NEXT_PUBLICATION = f"{KEY_PREFIX}:next-publication"
NONCE_PLACEHOLDER = b"__reex_csp_nonce__"
# How long the "next scheduled publication" lookup is trusted; every article
# save forgets it at once, so this only bounds changes made behind the ORM's back.
NEXT_PUBLICATION_TTL = 60

# URL prefixes that are never resolved at all (the admin is added from ADMIN_URL): a cheap early exit.
_NEVER_PREFIXES = ("/static/", "/media/")


# --- registries: each app registers from its AppConfig.ready() ---------------------------


@dataclass(frozen=True)
class ReaderPage:
    """How a view opted into the page cache: `slug_kwarg` names the URL kwarg of an article page."""

    slug_kwarg: str | None = None


def reader_page(view: Callable, *, slug_kwarg: str | None = None) -> Callable:
    """Opt a view into the page cache (use it in urls.py): its anonymous GET 200s are shared.

    With `slug_kwarg`, the page is an article's page, cached under that article's own
    generation so that saving the article forgets it without forgetting every list.
    Views not wrapped are never cached, whatever their URL or name.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.reex_reader_page = ReaderPage(slug_kwarg=slug_kwarg)
    return wrapped


_bypass_cookies: set[str] = set()


def register_bypass_cookies(*names: str) -> None:
    """Cookies that make a visitor's page their own (always rendered fresh, never shared)."""
    _bypass_cookies.update(names)


def bypass_cookie_names() -> frozenset[str]:
    """Every cookie that bypasses the cache: the session, PAGE_CACHE_BYPASS_COOKIES and the registered ones."""
    # The session cookie always bypasses, even if the setting forgets it: staff must never get a shared page.
    return frozenset({settings.SESSION_COOKIE_NAME, *settings.PAGE_CACHE_BYPASS_COOKIES, *_bypass_cookies})


@dataclass(frozen=True)
class ArticleLookup:
    # article id -> (slug, is published) or None when there is no such article.
    page_of: Callable[[int], tuple[str, bool] | None]
    # The earliest scheduled (future) publication time, or None.
    next_publication: Callable[[], datetime | None]


_articles: ArticleLookup | None = None


def register_articles(*, page_of: Callable[[int], tuple[str, bool] | None], next_publication) -> None:
    """The per-article facts the cache needs: an article's page by id, and the next scheduled publication."""
    global _articles
    _articles = ArticleLookup(page_of=page_of, next_publication=next_publication)


def invalidate_on_change(model, *, article_id: Callable | None = None) -> None:
    """Forget pages whenever `model` is saved or deleted through the ORM.

    With `article_id` (instance -> the id of the article that shows it), that article's page,
    and every list when the article is published. Without it, the model is shown around the
    content of many pages (menus, author boxes, source pages): every page is forgotten.
    """
    from django.db.models.signals import post_delete, post_save

    if article_id is None:

        def changed(sender, instance=None, raw=False, **kwargs):
            if not raw:
                invalidate_lists(nav=True)

    else:

        def changed(sender, instance=None, raw=False, **kwargs):
            if not raw:
                invalidate_article_id(article_id(instance))

    uid = f"reex.pagecache.{model._meta.label_lower}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}.save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}.delete")


# --- generations -------------------------------------------------------------------------


def _article_gen_key(slug: str) -> str:
    return f"{KEY_PREFIX}:gen:article:{slug}"


def _seed() -> int:
    # A fresh counter starts at the current time in ms, so a counter that the
    # cache evicted comes back with a value no old entry was stored under.
    return time.time_ns() // 1_000_000


def _bump(key: str) -> None:
    try:
        try:
            cache.incr(key)
        except ValueError:  # missing: start it (if another server raced us, its value stands)
            if not cache.add(key, _seed(), timeout=None):
                cache.incr(key)
    except Exception:
        # The cache is down: the save must still succeed. Pages stored before the outage can
        # then be served until they expire (PAGE_CACHE_SECONDS) if the cache comes back with them.
        logger.exception("page cache: could not invalidate %s", key)


def _generations(keys: list[str]) -> list[int]:
    values = cache.get_many(keys)
    missing = {key: _seed() for key in keys if key not in values}
    for key, value in missing.items():
        if not cache.add(key, value, timeout=None):
            value = cache.get(key, value)
        values[key] = value
    return [values[key] for key in keys]


def content_generation() -> str:
    """A token that changes whenever anything a reader can see changes (the lists and navigation counters).

    For caches outside this middleware (the Content API): store under it and a change makes the entry unreachable.
    """
    return ".".join(str(gen) for gen in _generations([NAV_GEN, LISTS_GEN]))


def invalidate_article(article=None, *, slugs=(), lists: bool = True, nav: bool = False) -> None:
    """Forget the cached page of an article (under its slugs) and, by default, every list.

    `article` is an article (anything with a `slug`) or its id; `slugs` adds
    addresses it had before (a renamed slug). `nav=True` also forgets every
    page's surroundings (the sidebar's recent news): use it when an article
    appears, disappears or changes its headline.
    """
    all_slugs = set(slugs)
    if article is not None:
        if isinstance(article, int):
            page = _articles.page_of(article) if _articles else None
            if page:
                all_slugs.add(page[0])
        elif article.slug:
            all_slugs.add(article.slug)
    for slug in all_slugs:
        _bump(_article_gen_key(slug))
    if lists:
        invalidate_lists(nav=nav)


def invalidate_lists(*, nav: bool = False) -> None:
    _bump(LISTS_GEN)
    if nav:
        _bump(NAV_GEN)
    # A save may have scheduled or unscheduled an article.
    try:
        cache.delete(NEXT_PUBLICATION)
    except Exception:
        logger.exception("page cache: could not forget the next publication time")


def invalidate_article_id(article_id: int) -> None:
    """Something the article's page shows changed: forget the page, and every list if it is published."""
    page = _articles.page_of(article_id) if _articles else None
    if page:
        invalidate_article(slugs=[page[0]], lists=page[1])


# --- scheduled publication ---------------------------------------------------------------


def seconds_until_next_publication() -> float | None:
    """Seconds until the earliest scheduled article goes live, or None if nothing is scheduled."""
    now = time.time()
    cached = cache.get(NEXT_PUBLICATION)
    if cached is None or (cached and cached <= now):
        first = _articles.next_publication() if _articles else None
        cached = first.timestamp() if first else 0
        ttl = NEXT_PUBLICATION_TTL if not cached else max(1, min(NEXT_PUBLICATION_TTL, math.floor(cached - now)))
        cache.set(NEXT_PUBLICATION, cached, ttl)
    return cached - now if cached else None


# --- the middleware ----------------------------------------------------------------------


def _cacheable_path(path: str) -> tuple[bool, str | None]:
    """(is a reader page, the article slug if it is an article page)."""
    if path.startswith(_NEVER_PREFIXES) or path.startswith(f"/{settings.ADMIN_URL}"):
        return False, None
    try:
        match = resolve(path)
    except Resolver404:
        return False, None
    page = getattr(match.func, "reex_reader_page", None)
    if page is None:
        return False, None
    return True, match.kwargs.get(page.slug_kwarg) if page.slug_kwarg else None


def is_cacheable_page(request) -> bool:
    """Whether this request's response could be stored for other readers."""
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method in ("GET", "HEAD")
        and _cacheable_path(request.path_info)[0]
        and not getattr(request, "reex_no_cache", False)
    )


def bypasses_cache(request) -> bool:
    return any(name in request.COOKIES for name in bypass_cookie_names())


def _page_key(request, slug: str | None) -> str:
    gen_keys = [NAV_GEN, _article_gen_key(slug)] if slug else [NAV_GEN, LISTS_GEN]
    gens = ".".join(str(g) for g in _generations(gen_keys))
    url = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"{KEY_PREFIX}:page:{gens}:{url}"


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or request.method != "GET":
        return False
    if getattr(request, "reex_no_cache", False) or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page embeds this visitor's CSRF token
        return False
    # "no-cache" only asks downstream caches to revalidate, which our ETag answers; it does not forbid storing.
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= {"cookie", "accept-encoding"}


def _etag(body: bytes) -> str:
    return f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'


def _set_public_cache_control(response, seconds_left: float) -> None:
    max_age = max(0, min(settings.PAGE_CACHE_MAX_AGE, math.floor(seconds_left)))
    patch_cache_control(response, public=True, max_age=max_age, must_revalidate=True)


class PageCacheMiddleware:
    """Serve and store whole reader pages for anonymous visitors. Sits right after WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        reader_page, slug = _cacheable_path(request.path_info)
        if not reader_page:
            return self.get_response(request)
        if bypasses_cache(request):
            response = self.get_response(request)
            if response.status_code == 200 and "Cache-Control" not in response:
                # Shaped for this visitor (staff links, their pending comment): no shared cache may keep it.
                patch_cache_control(response, private=True, no_cache=True)
            response["X-Page-Cache"] = "bypass"
            return response

        try:
            key = _page_key(request, slug)
            entry = cache.get(key)
        except Exception:  # a cache outage must not take the site down; serve uncached
            logger.exception("page cache unavailable")
            return self.get_response(request)
        if entry is not None:
            return self._replay(request, entry)

        response = self.get_response(request)
        if _storable(request, response):
            self._store(request, response, key)
            return get_conditional_response(request, etag=response.get("ETag"), response=response)
        return response

    def _replay(self, request, entry):
        now = time.time()
        nonce = generate_nonce()
        body = entry["body"].replace(NONCE_PLACEHOLDER, nonce.encode()) if entry["has_nonce"] else entry["body"]
        response = HttpResponse(body, status=200)
        for name, value in entry["headers"]:
            response.headers[name] = value.replace(NONCE_PLACEHOLDER.decode(), nonce) if entry["has_nonce"] else value
        response["ETag"] = entry["etag"]
        _set_public_cache_control(response, entry["expires"] - now)
        response["X-Page-Cache"] = "hit"
        return get_conditional_response(request, etag=entry["etag"], response=response)

    def _store(self, request, response, key):
        timeout = settings.PAGE_CACHE_SECONDS
        try:
            until_publication = seconds_until_next_publication()
        except Exception:
            logger.exception("could not read the next scheduled publication; not caching")
            return
        if until_publication is not None:
            timeout = min(timeout, math.floor(until_publication))
        body = response.content
        nonce = getattr(request, "_csp_nonce", None)
        has_nonce = bool(nonce)  # LazyNonce is truthy only once the page used it
        headers = [(k, v) for k, v in response.items() if k.lower() not in ("set-cookie", "etag", "x-page-cache")]
        if has_nonce:
            body = body.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
            headers = [(k, v.replace(str(nonce), NONCE_PLACEHOLDER.decode())) for k, v in headers]
        etag = _etag(body)
        response["ETag"] = etag
        response["X-Page-Cache"] = "miss"
        if timeout < 1:  # a scheduled article goes live in under a second: this page is already stale
            patch_cache_control(response, no_cache=True)
            return
        _set_public_cache_control(response, timeout)
        headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
        entry = {
            "body": body,
            "headers": headers,
            "etag": etag,
            "has_nonce": has_nonce,
            "expires": time.time() + timeout,
        }
        try:
            cache.set(key, entry, timeout)
        except Exception:
            logger.exception("could not store a page in the cache")
