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

Storage (reex/pagestore.py): each page is kept compressed (brotli, gzip)
and plain, chosen by Accept-Encoding with `Vary: Accept-Encoding`, as raw
bytes, so a hit is one cache round trip with no unpickling or recompression.
Every hit and miss carries an ETag and a Last-Modified (when it was stored),
so If-None-Match and If-Modified-Since both get a 304.

Reader pages use no CSP nonce (their scripts are same-origin files allowed
by 'self'; JSON-LD is data, never run). A page that does use one is stored
uncompressed, and its nonce is replaced by a fresh one on every replay (in
the body and in the Content-Security-Policy header), so cached pages never
share a nonce between visitors and no compressed page carries one (BREACH).

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
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.csp import generate_nonce
from django.utils.http import http_date

from reex import edge, pagestore
from reex.cachebreaker import breaker

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
    # Edge cache tags (reex/edge.py), formatted with the URL's kwargs: ("section-{slug}",).
    tags: tuple[str, ...] = ()
    # The longest an edge may keep this page (None: EDGE_CACHE_SECONDS), for pages whose forms expire.
    edge_seconds: int | None = None

    def tags_for(self, kwargs: dict) -> list[str]:
        from reex import edge

        if self.slug_kwarg:
            return [edge.NAV, edge.article_tag(kwargs[self.slug_kwarg])]
        # Each kwarg is encoded as a tag part (a unicode tag slug becomes ASCII).
        encoded = {name: edge.tag(value) for name, value in kwargs.items() if isinstance(value, str | int)}
        return [edge.NAV, edge.LISTS, *(each.format(**encoded) for each in self.tags)]


def reader_page(
    view: Callable, *, slug_kwarg: str | None = None, tags: tuple[str, ...] = (), edge_seconds: int | None = None
) -> Callable:
    """Opt a view into the page cache (use it in urls.py): its anonymous GET 200s are shared.

    With `slug_kwarg`, the page is an article's page, cached under that article's own
    generation so that saving the article forgets it without forgetting every list.
    Views not wrapped are never cached, whatever their URL or name. `tags` name what the page
    is about for edge caches ("home", "section-{slug}"); article pages are tagged with their slug,
    and every page with what invalidates it (reex/edge.py).
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.reex_reader_page = ReaderPage(slug_kwarg=slug_kwarg, tags=tuple(tags), edge_seconds=edge_seconds)
    return wrapped


def edge_only_page(view: Callable, *, tags: tuple[str, ...] = (), seconds: int = 300) -> Callable:
    """Share a view's anonymous GET 200s at the edge only (search): not stored here, where every query
    would take a page of Redis, but offered to Varnish/CDNs for `seconds` with its tags plus `lists` and
    `nav`, so a publication purges it. Anything shaped for one visitor stays as the view made it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if bypasses_cache(request):
            if response.status_code == 200 and "Cache-Control" not in response:
                patch_cache_control(response, private=True, no_cache=True)  # shaped for this visitor
        elif (
            request.method in ("GET", "HEAD")
            and _storable(request, response)
            and not getattr(request, "_csp_nonce", None)
        ):
            try:
                until = seconds_until_next_publication()
            except Exception:  # no cache: do not guess when the next article goes live
                return response
            capped = until is not None and until < seconds
            edge.set_shared_headers(
                response,
                tags=[edge.NAV, edge.LISTS, *tags],
                browser_seconds=0,
                edge_seconds=until if capped else seconds,
                capped=capped,
            )
        return response

    # Its forms then carry no per-visitor CSRF token (reex/csrf.py), like every shared page.
    wrapped.reex_edge_only = True
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
    _bump_now(key)


def _bump_now(key: str) -> None:
    # Never skipped by the Redis circuit breaker: a lost invalidation would serve an old page
    # for PAGE_CACHE_SECONDS. A Redis that really hangs costs this save one socket timeout.
    try:
        with breaker.bypassed():
            _incr_generation(key)
    except Exception:
        # The cache is down: the save must still succeed. Pages stored before the outage can
        # then be served until they expire (PAGE_CACHE_SECONDS) if the cache comes back with them.
        logger.exception("page cache: could not invalidate %s", key)


# With an edge configured, the generations a transaction bumped are bumped again at its commit (reex/edge.py).
edge.register_before_send(_bump_now)


def _incr_generation(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # missing: start it (if another server raced us, its value stands)
        if not cache.add(key, _seed(), timeout=None):
            cache.incr(key)


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
    edge.purge([edge.article_tag(slug) for slug in all_slugs], rebump=[_article_gen_key(slug) for slug in all_slugs])
    if lists:
        invalidate_lists(nav=nav)


def invalidate_lists(*, nav: bool = False) -> None:
    _bump(LISTS_GEN)
    if nav:
        _bump(NAV_GEN)
    edge.purge([edge.LISTS, edge.NAV] if nav else [edge.LISTS], rebump=[LISTS_GEN, NAV_GEN] if nav else [LISTS_GEN])
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


def _reader_page(path: str):
    """(the ReaderPage of a reader URL or None, its URL kwargs)."""
    if path.startswith(_NEVER_PREFIXES) or path.startswith(f"/{settings.ADMIN_URL}"):
        return None, {}
    try:
        match = resolve(path)
    except Resolver404:
        return None, {}
    return getattr(match.func, "reex_reader_page", None), match.kwargs


def _cacheable_path(path: str) -> tuple[bool, str | None]:
    """(is a reader page, the article slug if it is an article page)."""
    page, kwargs = _reader_page(path)
    if page is None:
        return False, None
    return True, kwargs.get(page.slug_kwarg) if page.slug_kwarg else None


def _edge_only_path(path: str) -> bool:
    try:
        return getattr(resolve(path).func, "reex_edge_only", False)
    except Resolver404:
        return False


def is_cacheable_page(request) -> bool:
    """Whether this request's response could be stored for other readers."""
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method in ("GET", "HEAD")
        and (_cacheable_path(request.path_info)[0] or _edge_only_path(request.path_info))
        and not getattr(request, "reex_no_cache", False)
    )


def bypasses_cache(request) -> bool:
    return any(name in request.COOKIES for name in bypass_cookie_names())


def _gen_keys(slug: str | None) -> list[str]:
    return [NAV_GEN, _article_gen_key(slug)] if slug else [NAV_GEN, LISTS_GEN]


def _page_key(url_hash: str, coding: str) -> str:
    return f"{KEY_PREFIX}:page:{coding}:{url_hash}"


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or request.method != "GET":
        return False
    if getattr(request, "reex_no_cache", False) or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page embeds this visitor's CSRF token
        return False
    if response.has_header("Content-Encoding"):  # already encoded by the view: not ours to re-encode
        return False
    # "no-cache" only asks downstream caches to revalidate, which our ETag answers; it does not forbid storing.
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= {"cookie", "accept-encoding"}


def _etag(body: bytes, coding: str) -> str:
    # Each content coding is its own representation, so it gets its own strong validator (RFC 9110 8.8.3).
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
    return f'"{digest}"' if coding == pagestore.IDENTITY else f'"{digest}-{coding}"'


def _set_public_cache_control(
    response, seconds_left: float, *, tags=(), publish_at: float | None = None, nonce: bool = False, edge_cap=None
) -> None:
    """A page for every reader: browsers keep it `seconds_left` at most, edges until the next publication."""
    if nonce:
        # This cache replays the page with a fresh nonce each time; an edge would hand one nonce to
        # every reader, so no cache outside this one may keep it.
        patch_cache_control(response, private=True, no_cache=True)
        return
    max_age = max(0, min(settings.PAGE_CACHE_MAX_AGE, math.floor(seconds_left)))
    until_publication = publish_at - time.time() if publish_at else None
    longest = min(settings.EDGE_CACHE_SECONDS, edge_cap) if edge_cap is not None else settings.EDGE_CACHE_SECONDS
    capped = until_publication is not None and until_publication < longest
    edge.set_shared_headers(
        response,
        tags=tags,
        browser_seconds=max_age,
        edge_seconds=until_publication if capped else longest,
        capped=capped,
    )


def _answer(request, response, meta):
    """Send `response` as the page `meta` describes, or a 304 when the client's copy is current."""
    response["ETag"] = meta["etag"]
    response["Last-Modified"] = http_date(meta["stored_at"])
    return get_conditional_response(
        request, etag=meta["etag"], last_modified=math.floor(meta["stored_at"]), response=response
    )


class PageCacheMiddleware:
    """Serve and store whole reader pages for anonymous visitors. Sits right after WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        page, kwargs = _reader_page(request.path_info)
        if page is None:
            return self.get_response(request)
        slug = kwargs.get(page.slug_kwarg) if page.slug_kwarg else None
        if bypasses_cache(request):
            response = self.get_response(request)
            if response.status_code == 200 and "Cache-Control" not in response:
                # Shaped for this visitor (staff links, their pending comment): no shared cache may keep it.
                patch_cache_control(response, private=True, no_cache=True)
            response["X-Page-Cache"] = "bypass"
            return response

        coding = pagestore.negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        url_hash = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
        gen_keys = _gen_keys(slug)
        try:
            # One round trip: the counters that guard the page, and the page in the client's coding.
            *gens, value = pagestore.read([*gen_keys, _page_key(url_hash, coding)])
            if None in gens:  # a counter was never set or was evicted: start it, and nothing stored is valid
                gens, value = _generations(gen_keys), None
        except Exception:  # a cache outage must not take the site down; serve uncached
            logger.exception("page cache unavailable")
            return self.get_response(request)
        if value is not None:
            meta, body = pagestore.unpack(value)
            if meta["gens"] == gens:
                return self._replay(request, meta, body, page, kwargs)

        response = self.get_response(request)
        if _storable(request, response):
            return self._store(request, response, url_hash, gens, coding, page, kwargs)
        return response

    def _replay(self, request, meta, body, page, kwargs):
        if meta["nonce"]:
            nonce = generate_nonce()
            body = body.replace(NONCE_PLACEHOLDER, nonce.encode())
            headers = [(k, v.replace(NONCE_PLACEHOLDER.decode(), nonce)) for k, v in meta["headers"]]
        else:
            headers = meta["headers"]
        response = HttpResponse(body, status=200)
        for name, value in headers:
            response.headers[name] = value
        _set_public_cache_control(
            response,
            meta["expires"] - time.time(),
            tags=page.tags_for(kwargs),
            publish_at=meta.get("publish_at"),
            nonce=meta["nonce"],
            edge_cap=page.edge_seconds,
        )
        response["X-Page-Cache"] = "hit"
        return _answer(request, response, meta)

    def _store(self, request, response, url_hash, gens, coding, page, kwargs):
        timeout = settings.PAGE_CACHE_SECONDS
        try:
            until_publication = seconds_until_next_publication()
        except Exception:
            logger.exception("could not read the next scheduled publication; not caching")
            return response
        if until_publication is not None:
            timeout = min(timeout, math.floor(until_publication))
        body = response.content
        nonce = getattr(request, "_csp_nonce", None)
        has_nonce = bool(nonce)  # LazyNonce is truthy only once the page used it
        dropped = ("set-cookie", "etag", "x-page-cache", "cache-control", "content-length", "last-modified")
        dropped += tuple(name.lower() for name in edge.TAG_HEADERS)  # set again on every replay
        headers = [(k, v) for k, v in response.items() if k.lower() not in dropped]
        if has_nonce:
            body = body.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
            headers = [(k, v.replace(str(nonce), NONCE_PLACEHOLDER.decode())) for k, v in headers]
        stored_at = math.floor(time.time())
        response["X-Page-Cache"] = "miss"
        if timeout < 1:  # a scheduled article goes live in under a second: this page is already stale
            response["ETag"] = _etag(body, pagestore.IDENTITY)
            patch_cache_control(response, no_cache=True)
            return response
        publish_at = stored_at + until_publication if until_publication is not None else None
        _set_public_cache_control(
            response,
            timeout,
            tags=page.tags_for(kwargs),
            publish_at=publish_at,
            nonce=has_nonce,
            edge_cap=page.edge_seconds,
        )
        # A page with a nonce needs it replaced in the body on every replay, so it stays uncompressed
        # (it also must not be compressed: the nonce is a per-response secret). So do non-text types.
        compress = not has_nonce and pagestore.compressible(response.get("Content-Type", ""))
        if compress:
            patch_vary_headers(response, ("Accept-Encoding",))
            headers = [(k, v) for k, v in headers if k.lower() != "vary"] + [("Vary", response["Vary"])]
        codings = (pagestore.IDENTITY, *pagestore.CODINGS)
        metas, blobs = {}, {}
        for each in codings:
            encoded = pagestore.encode(body, each) if compress else body
            stored_coding = each if compress else pagestore.IDENTITY
            extra = [("Content-Encoding", stored_coding)] if stored_coding != pagestore.IDENTITY else []
            meta = {
                "gens": gens,
                "headers": [*headers, *extra, ("Content-Length", str(len(encoded)))],
                "etag": _etag(body, stored_coding),
                "stored_at": stored_at,
                "expires": stored_at + timeout,
                "publish_at": publish_at,
                "nonce": has_nonce,
            }
            metas[each], blobs[each] = (meta, encoded)
        try:
            pagestore.write(
                {_page_key(url_hash, each): pagestore.pack(metas[each], blobs[each]) for each in codings}, timeout
            )
        except Exception:
            logger.exception("could not store a page in the cache")
        if compress and coding != pagestore.IDENTITY:
            response.content = blobs[coding]
            response["Content-Encoding"] = coding
            response["Content-Length"] = str(len(blobs[coding]))
        return _answer(request, response, metas[coding])
