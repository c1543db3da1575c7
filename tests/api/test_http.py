"""HTTP done right: validators and 304s, Cache-Control, invalidation on change, CORS, HEAD and OPTIONS."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Highlight
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article(slug="cached-brief", title="Cached brief", full_brief=True)


def test_etag_and_last_modified_give_304s(client, article):
    first = client.get("/api/v1/articles/cached-brief")
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get("/api/v1/articles/cached-brief", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    since = client.get("/api/v1/articles/cached-brief", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get("/api/v1/articles/cached-brief", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_a_change_to_published_content_is_seen_at_once(client, article):
    etag = client.get("/api/v1/articles/cached-brief")["ETag"]
    with CaptureQueriesContext(connection) as cached:
        assert client.get("/api/v1/articles/cached-brief", headers={"If-None-Match": etag}).status_code == 304
    assert len(cached) == 0  # served from the cache: no query at all
    Highlight.objects.create(article=article, position=9, text="A brand-new highlight.")
    response = client.get("/api/v1/articles/cached-brief", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "A brand-new highlight." in response.json()["article"]["highlights"]
    assert response["ETag"] != etag
    listing = client.get("/api/v1/articles/?include=brief").json()["articles"][0]
    assert "A brand-new highlight." in listing["highlights"]


def test_no_cached_response_outlives_the_next_scheduled_publication(client, article):
    make_article(slug="soon", published_at=timezone.now() + timedelta(seconds=30))
    response = client.get("/api/v1/articles/")
    max_age = int(response["Cache-Control"].split("max-age=")[1])
    assert 0 <= max_age <= 30
    assert [a["slug"] for a in response.json()["articles"]] == ["cached-brief"]


def test_keyed_only_apis_are_privately_cached(client, settings, article):
    settings.API_ANONYMOUS = False
    from api.services import api_key_create

    _, key = api_key_create(name="Partner")
    assert client.get(f"/api/v1/articles/?key={key}")["Cache-Control"] == "private, max-age=60"


def test_errors_are_never_cached(client):
    response = client.get("/api/v1/articles/?limit=0")
    assert response.status_code == 400 and response["Cache-Control"] == "no-store"


def test_cors_for_any_origin_on_success_and_error(client, article):
    for url, status in (("/api/v1/articles/", 200), ("/api/v1/articles/nope", 404), ("/api/v1/sources/?limit=x", 400)):
        response = client.get(url, headers={"Origin": "https://partner.example"})
        assert response.status_code == status
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Access-Control-Expose-Headers"] == "ETag, Last-Modified, Retry-After"
    # The site's own pages are not opened to other origins.
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": "https://partner.example"})


def test_preflight_is_answered(client):
    response = client.options(
        "/api/v1/articles/",
        headers={"Origin": "https://partner.example", "Access-Control-Request-Headers": "if-none-match"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "If-None-Match, If-Modified-Since"


def test_head_is_a_get_without_the_body(client, article):
    get = client.get("/api/v1/articles/cached-brief")
    head = client.head("/api/v1/articles/cached-brief")
    assert (head.status_code, head.content, head["ETag"]) == (200, b"", get["ETag"])


def test_writes_are_refused(client, article):
    response = client.post("/api/v1/articles/", {})
    assert response.status_code == 405


def test_a_repeated_parameter_cannot_poison_the_cache(client, article):
    make_article(slug="second-brief")
    twice = client.get("/api/v1/articles/?limit=1&limit=50&fields=slug")
    assert twice.json()["meta"]["pagination"]["limit"] == 50  # the last value counts, as in request.GET[...]
    # And "?limit=50&limit=1" must not be answered from that entry either.
    assert client.get("/api/v1/articles/?limit=50&limit=1&fields=slug").json()["meta"]["pagination"]["limit"] == 1
    once = client.get("/api/v1/articles/?limit=50&fields=slug")
    assert [a["slug"] for a in once.json()["articles"]] == ["second-brief", "cached-brief"]
