"""HTTP for the Content API: the error shape, conditional GET, caching headers and CORS.

Every response body is stored in the shared cache under the page cache's
content generation (reex.pagecache.content_generation), so any change an
editor makes to published content makes every stored response unreachable at
once, and no entry outlives the next scheduled publication. The ETag is the
body's digest; Last-Modified is when the body was built, which is after the
last change to what it shows.
"""

import hashlib
import json
import logging
import math
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from reex.pagecache import content_generation, seconds_until_next_publication

logger = logging.getLogger(__name__)

JSON = "application/json"
CACHE_PREFIX = "api:v1"


class ApiError(Exception):
    """Answered as {"errors": [{"code", "message", "parameter"?}]} with `status`."""

    def __init__(self, status: int, code: str, message: str, *, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


def bad_parameter(parameter: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"{parameter}: {message}", parameter=parameter)


def error_body(code: str, message: str, parameter: str | None = None) -> dict:
    error = {"code": code, "message": message}
    if parameter:
        error["parameter"] = parameter
    return error


def errors_response(status: int, errors: list[dict], headers: dict | None = None) -> HttpResponse:
    body = json.dumps({"errors": errors}, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=JSON, headers=headers)
    # Errors depend on the key and the moment (a 429, a 401): never kept by a shared cache.
    patch_cache_control(response, no_store=True)
    return response


def _cache_key(request) -> str:
    # The key is not part of it: every caller is shown the same content. Every value of a repeated
    # parameter is (`?limit=1&limit=50`), so a response can never be stored under another request's key.
    params = sorted((name, values) for name, values in request.GET.lists() if name != "key")
    url = f"{request.path}?{urlencode(params, doseq=True)}"
    return f"{CACHE_PREFIX}:{content_generation()}:{hashlib.sha256(url.encode()).hexdigest()}"


def _seconds_until_publication() -> float | None:
    try:
        return seconds_until_next_publication()
    except Exception:
        logger.exception("api: could not read the next scheduled publication")
        return 0.0


def json_response(request, build) -> HttpResponse:
    """`build()` as a JSON response, from the shared cache when nothing has changed; 304 when the client has it."""
    key = entry = None
    if settings.PAGE_CACHE_ENABLED:
        try:
            key = _cache_key(request)
            entry = cache.get(key)
        except Exception:  # a cache outage must not take the API down
            logger.exception("api: cache unavailable")
            key = None
    until_publication = _seconds_until_publication()
    if entry is None:
        body = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode()
        entry = {
            "body": body,
            "etag": f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"',
            "built_at": math.floor(time.time()),
        }
        timeout = settings.PAGE_CACHE_SECONDS
        if until_publication is not None:
            timeout = min(timeout, math.floor(until_publication))
        if key and timeout >= 1:
            try:
                cache.set(key, entry, timeout)
            except Exception:
                logger.exception("api: could not store a response")
    response = HttpResponse(entry["body"], content_type=JSON)
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["built_at"])
    max_age = settings.API_CACHE_MAX_AGE
    if until_publication is not None:
        max_age = max(0, min(max_age, math.floor(until_publication)))
    if settings.API_ANONYMOUS:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        # Only key holders may read it: no shared cache may hand it to anyone else.
        patch_cache_control(response, private=True, max_age=max_age)
    return get_conditional_response(request, etag=entry["etag"], last_modified=entry["built_at"], response=response)
