"""What the site remembers about a commenter, in signed cookies (no account, no session row).

- PENDING_COOKIE lists the ids of the visitor's own comments awaiting moderation,
  so they (and only they) see them marked "awaiting moderation".
- REMEMBER_COOKIE keeps name, email and website when they ticked "remember me".

A response built for a visitor holding either cookie is personal: it must never
be stored by a page cache (see comments.middleware).
"""

import json

from django.conf import settings

PENDING_COOKIE = "reex_comments_pending"
REMEMBER_COOKIE = "reex_commenter"
_PENDING_SALT = "comments.pending"
_REMEMBER_SALT = "comments.remember"
_PENDING_MAX_IDS = 20
_PENDING_MAX_AGE = 14 * 24 * 3600
_REMEMBER_MAX_AGE = 365 * 24 * 3600


def has_comment_cookies(request) -> bool:
    return PENDING_COOKIE in request.COOKIES or REMEMBER_COOKIE in request.COOKIES


def own_pending_ids(request) -> list[int]:
    raw = request.get_signed_cookie(PENDING_COOKIE, default="", salt=_PENDING_SALT, max_age=_PENDING_MAX_AGE)
    return [int(part) for part in raw.split(",") if part.isdigit()]


def add_own_pending(response, request, comment_id: int) -> None:
    ids = [i for i in own_pending_ids(request) if i != comment_id] + [comment_id]
    response.set_signed_cookie(
        PENDING_COOKIE,
        ",".join(str(i) for i in ids[-_PENDING_MAX_IDS:]),
        salt=_PENDING_SALT,
        max_age=_PENDING_MAX_AGE,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )


def remembered_commenter(request) -> dict:
    raw = request.get_signed_cookie(REMEMBER_COOKIE, default="", salt=_REMEMBER_SALT)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key]) for key in ("name", "email", "url") if key in data}


def remember_commenter(response, *, name: str, email: str, url: str) -> None:
    response.set_signed_cookie(
        REMEMBER_COOKIE,
        json.dumps({"name": name, "email": email, "url": url}),
        salt=_REMEMBER_SALT,
        max_age=_REMEMBER_MAX_AGE,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )


def forget_commenter(response) -> None:
    response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
