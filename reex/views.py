import logging
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the database (and the cache, if Redis is configured) answers; 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure is "down"; details go to the log, not the client
        logger.exception("healthz: database check failed")
        checks["database"] = "unavailable"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "1", 5)
            checks["cache"] = "ok" if cache.get("healthz") == "1" else "unavailable"
        except Exception:
            logger.exception("healthz: cache check failed")
            checks["cache"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


def _render_static_page(template_name: str, status: int) -> HttpResponse:
    # No request context: these pages must render when the database is gone.
    try:
        body = loader.get_template(template_name).render(
            {"SITE_NAME": settings.SITE_NAME, "SITE_TAGLINE": settings.SITE_TAGLINE}
        )
    except Exception:
        logger.exception("could not render %s", template_name)
        body = "<!doctype html><title>Error</title><h1>Something went wrong</h1>"
    return HttpResponse(body, status=status)


def server_error(request):
    """500 handler; a lost database connection is reported as a 503 instead.

    Django reconnects on the next request by itself (CONN_HEALTH_CHECKS), so
    when PostgreSQL comes back the site recovers without a restart.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        response = _render_static_page("503.html", 503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    response = _render_static_page("500.html", 500)
    return HttpResponseServerError(response.content)


def bad_request(request, exception=None):
    """400, including oversized bodies and too many fields (RequestDataTooBig, TooManyFieldsSent)."""
    return _render_static_page("400.html", 400)


def permission_denied(request, exception=None):
    return _render_static_page("403.html", 403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (often: the page was open for a long time, or cookies are off)."""
    # A form from our own (cached) page sent without JavaScript: offer to send it again, text intact.
    from reex.csrf import resend_page

    response = resend_page(request)
    if response is not None:
        return response
    return _render_static_page("403_csrf.html", 403)
