"""Redis unreachable: readers still get pages (served uncached); /healthz reports it."""

import pytest
from django.test import Client

from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article(title="Lithium brief")  # saved while the cache works (saves invalidate pages)


@pytest.fixture
def redis_down(article, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }


def test_reader_pages_keep_working_without_the_cache(article, redis_down):
    client = Client(raise_request_exception=False)
    for url in ("/", article.get_absolute_url(), "/search/?q=lithium", "/feed/", "/archive/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/healthz").status_code == 503


def test_a_signup_while_redis_is_down_is_not_a_500(redis_down):
    response = Client(raise_request_exception=False).post("/newsletter/", {"email": "a@example.org"})
    assert response.status_code < 500
