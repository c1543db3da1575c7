"""How the page cache (reex/pagecache.py) stores a page: compressed, as raw bytes, read in one round trip.

A cached page is kept three times, once per content coding (brotli, gzip,
none), each under its own key, so a hit sends the stored bytes as they are:
no recompression, no unpickling. Each stored value is one JSON line of
metadata (the generations it was rendered under, headers, validators,
expiry) followed by the body.

A hit is one cache round trip: the two generation counters that guard the
page and the page itself are read with one MGET. The page is fresh only if
the generations it was stored under are still the current ones; an
invalidation bumps a counter, so every page stored under the old value is
simply never used again and expires by itself.

On Redis (Django's RedisCache), values are read and written with the
backend's own client, bypassing Django's pickling; the generation counters
are plain integers, which Django's Redis serializer already stores
unpickled, so `incr` and this module agree on them. Any other cache backend
(local memory in development) goes through the ordinary cache API.

BREACH: compression lets an attacker who can inject text into a page and
watch its size guess a secret in the same page. A page is only stored (and
so only compressed) when it embeds no per-visitor secret: no CSRF token
(`_storable` in pagecache refuses those), and no CSP nonce (a page that used
one is kept uncompressed and gets a fresh nonce on each replay). Pages shaped
for one visitor (sessions, bypass cookies) are never compressed here.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache

import brotli
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

IDENTITY = "identity"
# Preference order when the client accepts several.
CODINGS = ("br", "gzip")
# Cheap enough to run on every store (a miss pays for it), close to the best ratio for HTML.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
_COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/json")


@lru_cache(maxsize=512)
def negotiate(accept_encoding: str) -> str:
    """The content coding to send for this Accept-Encoding header: "br", "gzip" or "identity" (RFC 9110 12.5.3)."""
    qualities = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        name = name.strip()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        qualities[name] = quality
    for coding in CODINGS:
        if qualities.get(coding, qualities.get("*", 0.0)) > 0:
            return coding
    return IDENTITY


def compressible(content_type: str) -> bool:
    return content_type.lower().startswith(_COMPRESSIBLE)


def encode(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    if coding == "gzip":
        # mtime=0: the same page always compresses to the same bytes.
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return body


def pack(meta: dict, body: bytes) -> bytes:
    return json.dumps(meta, separators=(",", ":")).encode() + b"\n" + body


def unpack(value: bytes) -> tuple[dict, bytes]:
    line, _, body = value.partition(b"\n")
    return json.loads(line), body


def _backend():
    return caches["default"]


def read(keys: list[str]) -> list:
    """Values of `keys` in one round trip: bytes for pages, int for counters, None when missing."""
    backend = _backend()
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=False)
        raw = client.mget([backend.make_and_validate_key(key) for key in keys])
        return [_from_redis(value) for value in raw]
    found = backend.get_many(keys)
    return [found.get(key) for key in keys]


def _from_redis(value):
    if value is None:
        return None
    # Counters are stored by Django's serializer as bare integers; pages start with "{".
    return value if value[:1] == b"{" else int(value)


def write(values: dict[str, bytes], timeout: int) -> None:
    backend = _backend()
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        pipe = client.pipeline(transaction=False)
        for key, value in values.items():
            pipe.set(backend.make_and_validate_key(key), value, ex=timeout)
        pipe.execute()
        return
    backend.set_many(values, timeout)
