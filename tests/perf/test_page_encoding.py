"""How the page cache stores and sends pages (reex/pagestore.py): compression by Accept-Encoding, one round
trip per hit, raw bytes in Redis, and 304s from both validators on every kind of cacheable page."""

import gzip

import brotli
import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reex import pagestore
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("", "identity"),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0, gzip", "gzip"),
        ("GZIP;q=0.5", "gzip"),
        ("*", "br"),
        ("*;q=0, identity", "identity"),
        ("gzip;q=0", "identity"),
        ("br;q=nonsense, gzip", "gzip"),
        ("deflate", "identity"),
    ],
)
def test_negotiation(accept, coding):
    assert pagestore.negotiate(accept) == coding


def _pages(article):
    section, tag, author = article.section, article.tags.first(), article.authors.first()
    return [
        "/",
        article.get_absolute_url(),
        f"/section/{section.slug}/",
        f"/tag/{tag.slug}/",
        f"/author/{author.slug}/",
        "/archive/",
        "/feed/",
        "/sitemap.xml",
        "/news-sitemap.xml",
    ]


@pytest.mark.parametrize("state", ["miss", "hit"])
def test_each_coding_decodes_to_the_same_page(client, state):
    article = make_article(full_brief=True, tags=["dysprosium"])
    for url in _pages(article):
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        if state == "hit":
            client.get(url)
        assert plain.status_code == 200, url
        assert "Content-Encoding" not in plain
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        br = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        if state == "hit":
            assert (gz["X-Page-Cache"], br["X-Page-Cache"]) == ("hit", "hit"), url
        assert (gz["Content-Encoding"], br["Content-Encoding"]) == ("gzip", "br"), url
        assert gzip.decompress(gz.content) == plain.content, url
        assert brotli.decompress(br.content) == plain.content, url
        assert int(br["Content-Length"]) == len(br.content) < len(plain.content), url
        for response in (plain, gz, br):
            assert "Accept-Encoding" in response["Vary"], url
        # Each coding is its own representation with its own validator.
        assert len({plain["ETag"], gz["ETag"], br["ETag"]}) == 3, url


def test_both_validators_give_304_on_every_cacheable_page(client):
    article = make_article(full_brief=True, tags=["terbium"])
    for url in _pages(article):
        first = client.get(url, headers={"Accept-Encoding": "br"})
        assert first.status_code == 200, url
        for headers in (
            {"If-None-Match": first["ETag"]},
            {"If-Modified-Since": first["Last-Modified"]},
        ):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, headers={"Accept-Encoding": "br", **headers})
            assert (response.status_code, response.content) == (304, b""), (url, headers)
            assert len(queries) == 0, url
        # The negative case: an old date and another validator get the page.
        older = client.get(url, headers={"Accept-Encoding": "br", "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        assert older.status_code == 200, url
        other = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": '"not-this-one"'})
        assert other.status_code == 200, url


def test_a_change_answers_200_to_the_old_validators(client):
    article = make_article()
    url = article.get_absolute_url()
    first = client.get(url)
    article.title = "A different headline"
    article.save()
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_a_hit_is_one_redis_round_trip_of_raw_bytes(client, monkeypatch):
    if not isinstance(caches["default"], RedisCache):
        pytest.skip("needs REDIS_URL (the test settings of CI set it)")
    import redis

    article = make_article()
    url = article.get_absolute_url()
    client.get(url, headers={"Accept-Encoding": "br"})
    backend = caches["default"]
    calls = []
    original = redis.Redis.execute_command

    def counting(self, *args, **options):
        calls.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    response = client.get(url, headers={"Accept-Encoding": "br"})
    monkeypatch.undo()
    pool_client = backend._cache.get_client(write=False)
    assert response["X-Page-Cache"] == "hit"
    assert calls == ["MGET"]
    # Stored as the bytes that are sent: one JSON line, then the brotli body, no pickle.
    keys = list(pool_client.keys(backend.make_key("pagecache:page:br:*")))
    assert keys
    value = pool_client.get(keys[0])
    meta, body = pagestore.unpack(value)
    assert value.startswith(b"{") and body == response.content
    assert meta["etag"] == response["ETag"]
