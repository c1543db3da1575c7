"""Read replicas: reader pages read from the replica, everything else from the primary.

Installed only when DATABASE_REPLICA_URL is set (reex/settings.py, "Many machines"). The contract:

- Every write goes to the primary ("default").
- A read goes to the replica only inside a request that ReplicaRoutingMiddleware let use it: GET or
  HEAD, not under the admin, and no write yet in this request. The first write in a request (any
  statement but a SELECT sent to the primary, from the ORM or a raw cursor) pins the rest of it to the
  primary, so a request always reads what it has just written. POST, PUT, PATCH and DELETE are pinned
  from the start.
- Only the reader-facing apps (REPLICA_APPS) read from the replica. Sessions, users, newsletter
  subscriptions, the task queue and lockouts always come from the primary: they are read back by the
  very next request, and a lagging replica would log a user out or lose a session.
- A read inside a transaction on the primary stays on the primary.
- Outside a request (task workers, management commands, the shell) everything uses the primary.
- After any content write, anywhere, reader pages read from the primary for
  DATABASE_REPLICA_LAG_SECONDS. The page cache is invalidated by that write; without this window the
  page could be re-rendered from a replica that has not yet replayed the write and cached stale.
- A replica that cannot be reached is skipped: this process reads from the primary and tries the
  replica again after REPLICA_RETRY_SECONDS, so losing the replica costs capacity, not pages.
"""

import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
# Apps whose rows reader pages show. Everything else is read from the primary only, including the
# newsletter: its pages are forms and confirmation links, read right after the signup that wrote them.
REPLICA_APPS = frozenset({"articles", "comments", "taggit"})
SAFE_METHODS = frozenset({"GET", "HEAD"})
# After failing to reach the replica, this process reads from the primary for this long.
REPLICA_RETRY_SECONDS = 30
# Cache key holding the time of the most recent content write (shared by every app server via Redis).
LAST_CONTENT_WRITE_KEY = "db_router:last_content_write"


@dataclass
class RoutingState:
    """Routing decisions for one request. `pinned` means: from here on, primary only."""

    replica_allowed: bool
    pinned: bool = False
    replica_checked: bool = False


_state: ContextVar[RoutingState | None] = ContextVar("reex_db_routing", default=None)


def current_state() -> RoutingState | None:
    return _state.get()


def pin_to_primary() -> None:
    """Send every later query of this request to the primary (no-op outside a request)."""
    state = _state.get()
    if state is not None:
        state.pinned = True


def _note_content_write() -> None:
    lag = settings.DATABASE_REPLICA_LAG_SECONDS
    if lag <= 0:
        return
    try:
        cache.set(LAST_CONTENT_WRITE_KEY, time.time(), timeout=lag)
    except Exception:
        # A cache outage must not fail the write itself; readers then rely on the per-request pin.
        logger.exception("db_router: could not record the content write time")


def _recent_content_write() -> bool:
    lag = settings.DATABASE_REPLICA_LAG_SECONDS
    if lag <= 0:
        return False
    try:
        written_at = cache.get(LAST_CONTENT_WRITE_KEY)
    except Exception:
        logger.exception("db_router: could not read the content write time; using the primary")
        return True
    return written_at is not None and time.time() - written_at < lag


# INSERT/UPDATE/DELETE on a table of a REPLICA_APPS app (Django quotes table names, app label first).
_CONTENT_WRITE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(?:' + "|".join(sorted(REPLICA_APPS)) + r")_", re.IGNORECASE
)


def _watch_writes(execute, sql, params, many, context):
    """Runs around every statement on the primary, whatever sent it (ORM, raw cursor, another library).

    Writes are recognised by the SQL actually sent, not by the router's db_for_write: Django also asks
    db_for_write when it merely attaches a related object to an instance, which writes nothing.
    """
    if sql.lstrip()[:6].upper() != "SELECT":  # INSERT, UPDATE, DELETE, SAVEPOINT, WITH ... UPDATE
        pin_to_primary()
        if _CONTENT_WRITE.match(sql):
            _note_content_write()
            connection = context["connection"]
            # Open the window again at commit, so a long transaction cannot outlast it.
            if connection.in_atomic_block and not any(
                func is _note_content_write for _, func, _ in connection.run_on_commit
            ):
                connection.on_commit(_note_content_write)
    return execute(sql, params, many, context)


def _ensure_watching(connection) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


@receiver(connection_created)
def _watch_new_primary_connection(sender, connection, **kwargs):
    if connection.alias == PRIMARY and REPLICA in settings.DATABASES:
        _ensure_watching(connection)


_replica_down_until = 0.0


def _replica_reachable() -> bool:
    """Connect (or health-check the open connection) once per request, as Django would on first use."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except (OperationalError, InterfaceError):
        logger.exception(
            "db_router: the replica is unreachable; reading from the primary for %ss", REPLICA_RETRY_SECONDS
        )
        _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        return False
    return True


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _state.get()
        if state is None or state.pinned or not state.replica_allowed:
            return PRIMARY
        if model._meta.app_label not in REPLICA_APPS:
            return PRIMARY
        primary = connections[PRIMARY]
        if primary.in_atomic_block:
            return PRIMARY
        _ensure_watching(primary)  # a connection opened before this module was imported
        if not state.replica_checked:
            # Checked once per request, lazily: a page served from the page cache never asks.
            state.replica_checked = True
            if _recent_content_write() or not _replica_reachable():
                state.pinned = True
                return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        # No side effects here: see _watch_writes for how a write pins the request.
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, **hints):
        # The replica gets its schema by replication, never by running migrations.
        return db == PRIMARY


class ReplicaRoutingMiddleware:
    """Opens a routing state for each request; see the module docstring for the rules."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def replica_allowed(self, request) -> bool:
        return request.method in SAFE_METHODS and not request.path.startswith(self.admin_prefix)

    def __call__(self, request):
        _ensure_watching(connections[PRIMARY])
        token = _state.set(RoutingState(replica_allowed=self.replica_allowed(request)))
        try:
            return self.get_response(request)
        finally:
            _state.reset(token)
