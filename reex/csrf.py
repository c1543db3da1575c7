"""CSRF for pages served from the page cache.

A cached page is shared by every anonymous reader, so its forms cannot carry
a per-visitor token. `{% csrf_field %}` renders an empty token field;
static/js/site.js fills it from `/csrf/` (never cached) just before the form
is sent. Without JavaScript the POST fails the CSRF check, and
`resend_page()` answers with a "Please confirm" page holding the visitor's
fields and a real token, so nothing they typed is lost.
"""

from urllib.parse import urlsplit

from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Never echoed back into a page, even to its own sender.
_NEVER_RESENT = ("csrfmiddlewaretoken", "password", "passwd", "secret")
# Sent again, but not worth showing: buttons, timestamps, honeypots, where the form came from.
_NOT_SHOWN = {"submit", "ts", "parent", "source", "source_page", "homepage", "website", "action", "next"}
CONFIRM_MARKER = "_reex_resent"


@never_cache
@require_GET
def token(request):
    """This visitor's CSRF token, as JSON; also sets the CSRF cookie."""
    return JsonResponse({"token": get_token(request)})


def _same_origin(request) -> bool:
    """The POST came from a page of this site (Origin, else Referer, matches the request's host)."""
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.get_host()}"


def resend_page(request):
    """A "Please confirm" page that re-posts the visitor's fields with a fresh token; None if not applicable.

    Only for POSTs from our own pages: a foreign site must not be able to put
    words in a form that a reader then confirms. Passwords and files are never
    echoed back.
    """
    if request.method != "POST" or request.FILES or not _same_origin(request):
        return None
    try:
        items = [
            (name, value)
            for name, values in request.POST.lists()
            for value in values
            if name != CONFIRM_MARKER and not any(word in name.lower() for word in _NEVER_RESENT)
        ]
    except Exception:  # an unreadable body: the plain 403 page
        return None
    if not items:
        return None
    visible = [
        (name.replace("_", " "), value, min(8, max(value.count("\n") + 1, len(value) // 90 + 1)))
        for name, value in items
        if value.strip() and not name.startswith("_") and name not in _NOT_SHOWN
    ]
    response = render(
        request,
        "reex/csrf_confirm.html",
        {
            "action": request.get_full_path(),
            "items": items,
            "visible": visible,
            "again": CONFIRM_MARKER in request.POST,
            "marker": CONFIRM_MARKER,
            "csrf_value": get_token(request),
        },
        status=403,
    )
    response["Cache-Control"] = "no-store"
    return response
