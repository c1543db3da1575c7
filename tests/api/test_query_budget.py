"""Every API response costs a fixed number of SQL queries, whatever the size of the content.

Each endpoint is measured on a small and on a larger data set (more articles,
and many more parts, authors, tags and sources on each): a query per item would
show up as a difference. The budget: one query for the rows, plus one for the
next scheduled publication (read once, then kept in the cache).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.articles.test_query_budget import build

pytestmark = pytest.mark.django_db
BUDGET = 2

URLS = {
    "article list": "/api/v1/articles/?limit=100",
    "article list, everything": "/api/v1/articles/?limit=100&include=authors,tags,brief,sources",
    "article list, filtered": "/api/v1/articles/?tag=shared-{key}&author=counted-{key}&evidence=peer_reviewed",
    "search": "/api/v1/articles/?q=separation&include=brief",
    "article": "/api/v1/articles/measured-{key}",
    "sources with briefs": "/api/v1/sources/?include=briefs&limit=100",
    "authors": "/api/v1/authors/?limit=100",
    "tags": "/api/v1/tags/?limit=100",
    "sections": "/api/v1/sections/",
}


@pytest.fixture(autouse=True)
def _uncached(settings):
    # Measure the queries of building the response, not of replaying it.
    settings.PAGE_CACHE_ENABLED = False


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    return len(captured.captured_queries)


def test_cost_is_within_budget_and_independent_of_content_size(client):
    # Both sites are built once and every endpoint measured on each (building is the slow part).
    build(1, "small")
    small = {name: count_queries(client, url.format(key="small")) for name, url in URLS.items()}
    build(6, "large")
    large = {name: count_queries(client, url.format(key="large")) for name, url in URLS.items()}
    assert large == small
    assert max(small.values()) <= BUDGET, small


def test_a_keyed_request_adds_one_query_for_the_key(client):
    from api.services import api_key_create

    build(1, "small")
    _, secret = api_key_create(name="Counted")
    assert count_queries(client, f"/api/v1/articles/?key={secret}") == BUDGET + 1
