"""Read replicas (reex/db_router.py): the routing rules, then the whole stack with DATABASE_REPLICA_URL set."""

import os
import re
import subprocess
import sys

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connections

from articles.models import Article, Finding
from comments.models import Comment
from reex.db_router import (
    LAST_CONTENT_WRITE_KEY,
    PRIMARY,
    REPLICA,
    PrimaryReplicaRouter,
    RoutingState,
    _state,
    _watch_writes,
)
from tests.deploy.conftest import BASE_DIR, _deploy_database_name, create_database, drop_database, subprocess_env

router = PrimaryReplicaRouter()


def _in_request(replica_allowed=True):
    state = RoutingState(replica_allowed=replica_allowed, replica_checked=True)
    return state, _state.set(state)


def test_outside_a_request_everything_reads_from_the_primary():
    assert router.db_for_read(Article) == PRIMARY
    assert router.db_for_write(Article) == PRIMARY


def test_reader_request_reads_content_from_the_replica_and_accounts_from_the_primary():
    state, token = _in_request()
    try:
        assert router.db_for_read(Article) == REPLICA
        assert router.db_for_read(Comment) == REPLICA
        assert router.db_for_read(get_user_model()) == PRIMARY
        assert router.db_for_read(Session) == PRIMARY
    finally:
        _state.reset(token)


def _run_on_primary(sql):
    executed = []
    _watch_writes(lambda *args: executed.append(args[0]), sql, None, False, {"connection": connections[PRIMARY]})
    return executed


def test_a_statement_other_than_select_pins_the_request_to_the_primary():
    state, token = _in_request()
    try:
        assert _run_on_primary('SELECT 1 FROM "articles_article"') == ['SELECT 1 FROM "articles_article"']
        assert router.db_for_read(Article) == REPLICA
        _run_on_primary('UPDATE "django_session" SET expire_date = now()')
        assert state.pinned is True
        assert router.db_for_read(Article) == PRIMARY
    finally:
        _state.reset(token)


def test_attaching_a_related_object_is_not_a_write():
    # Django asks db_for_write when an instance gets a related object; nothing is written.
    state, token = _in_request()
    try:
        Finding(article=Article(pk=1, title="x"), position=0)
        assert state.pinned is False
        assert router.db_for_read(Article) == REPLICA
    finally:
        _state.reset(token)


def test_only_writes_to_content_tables_open_the_lag_window(settings):
    settings.DATABASE_REPLICA_LAG_SECONDS = 30
    _run_on_primary('SELECT 1 FROM "articles_article"')
    _run_on_primary('INSERT INTO "django_session" VALUES (1)')
    _run_on_primary('UPDATE "auth_user" SET last_login = now()')
    assert cache.get(LAST_CONTENT_WRITE_KEY) is None
    _run_on_primary('  update "comments_comment" SET status = 1')
    assert cache.get(LAST_CONTENT_WRITE_KEY) is not None


def test_a_request_not_allowed_the_replica_reads_from_the_primary():
    state, token = _in_request(replica_allowed=False)
    try:
        assert router.db_for_read(Article) == PRIMARY
    finally:
        _state.reset(token)


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(PRIMARY, "articles") is True
    assert router.allow_migrate(REPLICA, "articles") is False


def test_whole_stack_with_a_replica_configured(tmp_path):
    """Runs tests/deploy/replica_routing_checks.py in a process whose settings come from DATABASE_REPLICA_URL.

    The replica URL names a real second database on the server; under test it becomes a mirror of the
    test database (Django cannot replicate), and the checks tell the connections apart query by query.
    """
    from django.conf import settings

    replica_name = _deploy_database_name("replica_target")
    replica_url = create_database(replica_name)
    try:
        env = subprocess_env(
            DATABASE_URL=settings.DATABASE_URL,
            DATABASE_REPLICA_URL=replica_url,
            TEST_DATABASE_NAME=_deploy_database_name("replica"),
        )
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/deploy/replica_routing_checks.py",
                "-q",
                "-p",
                "no:cacheprovider",
                "--create-db",
            ],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        drop_database(replica_name)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = output.strip().splitlines()[-1]
    assert re.fullmatch(r"=*\s*\d+ passed in .*", summary), summary
    assert int(re.search(r"(\d+) passed", summary).group(1)) == 15, summary


def test_without_a_replica_nothing_is_installed():
    from django.conf import settings

    if os.environ.get("DATABASE_REPLICA_URL"):  # the suite itself may be run against a replica
        return
    assert REPLICA not in settings.DATABASES
    assert getattr(settings, "DATABASE_ROUTERS", []) == []
    assert "reex.db_router.ReplicaRoutingMiddleware" not in settings.MIDDLEWARE


def test_newsletter_subscriptions_are_read_from_the_primary_and_open_no_lag_window(settings):
    from newsletter.models import Subscriber

    settings.DATABASE_REPLICA_LAG_SECONDS = 30
    state, token = _in_request()
    try:
        assert router.db_for_read(Subscriber) == PRIMARY
    finally:
        _state.reset(token)
    _run_on_primary('INSERT INTO "newsletter_subscriber" (email) VALUES (1)')
    assert cache.get(LAST_CONTENT_WRITE_KEY) is None
