"""Read-replica routing, checked query by query. Needs DATABASE_REPLICA_URL set, so it is not collected
by itself (no test_ prefix): tests/deploy/test_db_router.py runs it in a subprocess with a replica configured.

In tests the replica is a TEST MIRROR of default: a second connection to the same test database. So
these tests use committed data (transactional_db) and tell the two apart by which connection ran each
query, captured on both.
"""

import socket
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from reex import db_router
from reex.db_router import PRIMARY, REPLICA, ReplicaRoutingMiddleware
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

ARTICLE_TABLE = Article._meta.db_table


@contextmanager
def capture():
    """Yield a dict alias -> list of SQL statements run on that connection inside the block."""
    with CaptureQueriesContext(connections[PRIMARY]) as primary, CaptureQueriesContext(connections[REPLICA]) as replica:
        captured = {PRIMARY: [], REPLICA: []}
        yield captured
    captured[PRIMARY] = [query["sql"] for query in primary.captured_queries]
    captured[REPLICA] = [query["sql"] for query in replica.captured_queries]


def touching(statements, table):
    return [sql for sql in statements if f'"{table}"' in sql]


def through_middleware(view, method="get", path="/news/x/"):
    request = getattr(RequestFactory(), method)(path)
    return ReplicaRoutingMiddleware(view)(request)


@pytest.fixture(autouse=True)
def _no_lag_window_from_setup():
    # Creating test data is a content write; start each test outside its lag window.
    yield
    cache.delete(db_router.LAST_CONTENT_WRITE_KEY)


def _setup_articles(count=2):
    articles = [make_article() for _ in range(count)]
    cache.delete(db_router.LAST_CONTENT_WRITE_KEY)
    return articles


def test_settings_install_the_replica_as_a_test_mirror_with_router_and_middleware():
    assert settings.DATABASES[REPLICA]["TEST"]["MIRROR"] == PRIMARY
    assert connections[REPLICA].settings_dict["NAME"] == connections[PRIMARY].settings_dict["NAME"]
    assert settings.DATABASE_ROUTERS == ["reex.db_router.PrimaryReplicaRouter"]
    assert settings.MIDDLEWARE[0] == "reex.db_router.ReplicaRoutingMiddleware"


def test_reader_get_reads_content_from_the_replica_and_sessions_users_from_the_primary():
    first, second = _setup_articles()
    user = get_user_model().objects.create_user("editor-h7", password="x-long-password-1")

    def view(request):
        titles = sorted(Article.objects.values_list("title", flat=True))
        get_user_model().objects.get(pk=user.pk)
        return HttpResponse("|".join(titles))

    with capture() as queries:
        response = through_middleware(view)

    assert response.content.decode() == "|".join(sorted([first.title, second.title]))
    assert len(touching(queries[REPLICA], ARTICLE_TABLE)) == 1
    assert touching(queries[PRIMARY], ARTICLE_TABLE) == []
    assert len(touching(queries[PRIMARY], "auth_user")) == 1
    assert touching(queries[REPLICA], "auth_user") == []


def test_first_write_pins_the_rest_of_the_request_to_the_primary():
    (article,) = _setup_articles(1)

    def view(request):
        Article.objects.get(pk=article.pk)  # before the write: replica
        Article.objects.filter(pk=article.pk).update(featured=True)  # the write: primary
        fresh = Article.objects.get(pk=article.pk)  # after the write: primary, sees it
        return HttpResponse(str(fresh.featured))

    with capture() as queries:
        response = through_middleware(view)

    assert response.content == b"True"
    replica_reads = touching(queries[REPLICA], ARTICLE_TABLE)
    primary_statements = touching(queries[PRIMARY], ARTICLE_TABLE)
    assert len(replica_reads) == 1 and replica_reads[0].startswith("SELECT")
    assert [sql.split()[0] for sql in primary_statements] == ["UPDATE", "SELECT"]


def test_a_raw_sql_write_also_pins_the_request():
    (article,) = _setup_articles(1)

    def view(request):
        with connection.cursor() as cursor:
            cursor.execute('UPDATE "articles_article" SET featured = true WHERE id = %s', [article.pk])
        return HttpResponse(str(Article.objects.get(pk=article.pk).featured))

    with capture() as queries:
        response = through_middleware(view)

    assert response.content == b"True"
    assert touching(queries[REPLICA], ARTICLE_TABLE) == []
    assert [sql.split()[0] for sql in touching(queries[PRIMARY], ARTICLE_TABLE)] == ["UPDATE", "SELECT"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_methods_use_the_primary_from_the_start(method):
    _setup_articles(1)

    def view(request):
        return HttpResponse(str(Article.objects.count()))

    with capture() as queries:
        response = through_middleware(view, method=method)

    assert response.content == b"1"
    assert queries[REPLICA] == []
    assert len(touching(queries[PRIMARY], ARTICLE_TABLE)) == 1


def test_admin_pages_use_the_primary():
    _setup_articles(1)

    def view(request):
        return HttpResponse(str(Article.objects.count()))

    with capture() as queries:
        through_middleware(view, path=f"/{settings.ADMIN_URL}articles/article/")

    assert queries[REPLICA] == []
    assert len(touching(queries[PRIMARY], ARTICLE_TABLE)) == 1


def test_reads_inside_a_transaction_and_outside_requests_use_the_primary():
    _setup_articles(1)

    def view(request):
        with transaction.atomic():
            count = Article.objects.count()
        return HttpResponse(str(count))

    with capture() as queries:
        through_middleware(view)
        Article.objects.count()  # a worker or management command: no request at all

    assert queries[REPLICA] == []
    assert len(touching(queries[PRIMARY], ARTICLE_TABLE)) == 2


def test_after_a_content_write_readers_use_the_primary_for_the_lag_window(settings):
    settings.DATABASE_REPLICA_LAG_SECONDS = 30
    (article,) = _setup_articles(1)

    def editor_saves(request):
        Article.objects.filter(pk=article.pk).update(featured=True)
        return HttpResponse("saved")

    def reader_reads(request):
        return HttpResponse(str(Article.objects.get(pk=article.pk).featured))

    through_middleware(editor_saves, method="post")
    with capture() as within_window:
        assert through_middleware(reader_reads).content == b"True"
    assert within_window[REPLICA] == []

    # Once the window has passed, readers are back on the replica.
    cache.set(db_router.LAST_CONTENT_WRITE_KEY, time.time() - 31)
    with capture() as after_window:
        assert through_middleware(reader_reads).content == b"True"
    assert len(touching(after_window[REPLICA], ARTICLE_TABLE)) == 1
    assert touching(after_window[PRIMARY], ARTICLE_TABLE) == []


def test_writes_to_non_content_tables_open_no_lag_window(settings):
    settings.DATABASE_REPLICA_LAG_SECONDS = 30
    _setup_articles(1)
    get_user_model().objects.create_user("someone-h7", password="x-long-password-2")
    assert cache.get(db_router.LAST_CONTENT_WRITE_KEY) is None


def test_the_article_page_reads_its_content_from_the_replica():
    article = make_article(full_brief=True)
    cache.delete(db_router.LAST_CONTENT_WRITE_KEY)

    with capture() as queries:
        response = Client().get(article.get_absolute_url())

    assert response.status_code == 200
    assert article.title in response.content.decode()
    content_on_primary = [sql for sql in queries[PRIMARY] if '"articles_' in sql or '"comments_' in sql]
    assert content_on_primary == [], (
        [q[:60] for q in queries[PRIMARY]] + ["REPLICA"] + [q[:60] for q in queries[REPLICA]]
    )
    assert touching(queries[REPLICA], ARTICLE_TABLE) != []


def test_posting_a_comment_reads_and_writes_on_the_primary_only():
    article = make_article()
    cache.delete(db_router.LAST_CONTENT_WRITE_KEY)
    with capture() as queries:
        Client().post(
            reverse("comments:post", args=[article.pk]),
            {"name": "Reader", "email": "reader@example.com", "body": "Which deposit was sampled?"},
        )
    assert queries[REPLICA] == []


@pytest.fixture
def unreachable_replica():
    """The replica connection pointed at a loopback port nothing listens on (a real refused connection)."""
    replica = connections[REPLICA]
    saved = {**replica.settings_dict, "OPTIONS": dict(replica.settings_dict["OPTIONS"])}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    replica.close()
    replica.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port), OPTIONS={"connect_timeout": 3})
    db_router._replica_down_until = 0.0
    yield
    replica.close()
    replica.settings_dict.clear()
    replica.settings_dict.update(saved)
    db_router._replica_down_until = 0.0


def test_an_unreachable_replica_is_skipped_and_reader_pages_still_render(unreachable_replica):
    article = make_article(full_brief=True)
    cache.delete(db_router.LAST_CONTENT_WRITE_KEY)

    with CaptureQueriesContext(connections[PRIMARY]) as primary:
        first = Client().get(article.get_absolute_url())
        second = Client().get(reverse("articles:home"))

    assert first.status_code == 200 and article.title in first.content.decode()
    assert second.status_code == 200 and article.title in second.content.decode()
    assert touching([query["sql"] for query in primary.captured_queries], ARTICLE_TABLE) != []
    # Marked down for a while: the next requests do not wait on the replica again.
    assert db_router._replica_down_until > time.monotonic()
