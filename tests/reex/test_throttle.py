"""reex.throttle: the shared fixed-window counter; with the cache down it allows and logs, never fails."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from newsletter.models import Subscriber
from reex.throttle import within_limit
from tests.comments.conftest import comment_data
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article(title="Gallium brief")  # saved while the cache works


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }


def test_counts_up_to_the_limit_then_refuses():
    assert [within_limit("t:k", limit=2, window=60) for _ in range(4)] == [True, True, False, False]
    assert within_limit("t:other", limit=2, window=60) is True


def test_cache_down_allows_and_logs(redis_down, caplog):
    with caplog.at_level(logging.ERROR, logger="reex.throttle"):
        assert all(within_limit("t:k", limit=1, window=60) for _ in range(3))
    assert "throttle: cache unavailable, allowing t:k" in caplog.text


def test_signup_with_the_cache_down_is_kept(redis_down):
    response = Client(raise_request_exception=False).post("/newsletter/", {"email": "kept@example.org"})
    assert response.status_code == 302
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.org"]


def test_comment_with_the_cache_down_is_kept(article, redis_down):
    response = Client(raise_request_exception=False).post(
        reverse("comments:post", args=[article.pk]), comment_data(article, body="Kept through an outage.")
    )
    assert response.status_code == 302
    assert list(Comment.objects.values_list("body", flat=True)) == ["Kept through an outage."]
