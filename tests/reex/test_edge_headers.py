"""Shared-cache headers and cache tags on reader pages (reex/edge.py through reex/pagecache.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import add_full_brief, make_article, make_author, make_section, make_source, make_user

pytestmark = pytest.mark.django_db

SHARED = "public, max-age=0, s-maxage=86400, stale-while-revalidate=30, stale-if-error=86400"


def tags_of(response) -> list[str]:
    xkey = response["xkey"].split(" ")
    assert response["Surrogate-Key"].split(" ") == xkey
    assert response["Cache-Tag"].split(",") == xkey
    return xkey


@pytest.fixture
def world():
    section = make_section(name="Battery metals", slug="battery-metals")
    author = make_author(name="Zoë Ågren", slug="zoe-agren")
    article = make_article(title="Cobalt", slug="cobalt", section=section, authors=[author], tags=["日本", "cobalt"])
    source = make_source()
    add_full_brief(article, source=source)  # a source has a page once a published article cites it
    return {"article": article, "section": section, "author": author, "source": source}


def test_every_reader_page_carries_its_tags_the_same_on_miss_and_hit(world, client):
    source = world["source"]
    expected = {
        "/": ["home", "lists", "nav"],
        "/news/cobalt/": ["article-cobalt", "nav"],
        "/section/battery-metals/": ["lists", "nav", "section-battery-metals"],
        "/tag/cobalt/": ["lists", "nav", "tag-cobalt"],
        # A unicode slug is percent-encoded: ASCII, no space or comma.
        "/tag/日本/": ["lists", "nav", "tag-%E6%97%A5%E6%9C%AC"],
        "/author/zoe-agren/": ["author-zoe-agren", "lists", "nav"],
        f"/sources/{source.pk}/": ["lists", "nav", f"source-{source.pk}"],
        "/archive/": ["archive", "lists", "nav"],
        "/feed/": ["feeds", "lists", "nav"],
        "/section/battery-metals/feed/atom/": ["feeds", "lists", "nav", "section-battery-metals"],
        "/sitemap.xml": ["lists", "nav", "sitemaps"],
        "/news-sitemap.xml": ["lists", "nav", "sitemaps"],
    }
    for url, tags in expected.items():
        miss = client.get(url)
        hit = client.get(url)
        assert (miss.status_code, miss.get("X-Page-Cache"), hit.get("X-Page-Cache")) == (200, "miss", "hit"), url
        assert tags_of(miss) == tags_of(hit) == tags, url
        # Article pages carry the comment form, whose timestamp is valid 2 hours: an edge keeps them 1 hour.
        shared = SHARED.replace("s-maxage=86400", "s-maxage=3600") if url.startswith("/news/") else SHARED
        assert miss["Cache-Control"] == hit["Cache-Control"] == shared, url


def test_pages_for_one_visitor_carry_no_tags_and_stay_private(world):
    staff = Client()
    staff.force_login(make_user(username="desk", is_staff=True))
    pending = Client()
    pending.cookies["reex_comments_pending"] = "x"
    for visitor in (staff, pending):
        response = visitor.get("/news/cobalt/")
        assert response["X-Page-Cache"] == "bypass"
        assert "private" in response["Cache-Control"] and "s-maxage" not in response["Cache-Control"]
        assert not {"xkey", "Surrogate-Key", "Cache-Tag"} & set(response.headers)
        searched = visitor.get("/search/?q=cobalt")
        assert "private" in searched["Cache-Control"] and "xkey" not in searched.headers
    for url in (f"/preview/{world['article'].pk}/", "/csrf/"):
        response = Client().get(url)
        assert "s-maxage" not in response.get("Cache-Control", ""), url
        assert "xkey" not in response.headers, url
    posted = Client().post("/newsletter/", {"email": "not-an-address"})
    assert "s-maxage" not in posted.get("Cache-Control", "") and "xkey" not in posted.headers


def test_a_scheduled_article_caps_the_edge_lifetime_and_drops_stale_while_revalidate(world, client):
    make_article(title="Tomorrow", published_at=timezone.now() + timedelta(seconds=50))
    response = client.get("/")
    parts = dict(part.split("=") if "=" in part else (part, "") for part in response["Cache-Control"].split(", "))
    assert 40 <= int(parts["s-maxage"]) <= 50
    assert "stale-while-revalidate" not in parts  # no edge may serve it past the publication
    assert parts["stale-if-error"] == "86400"
    assert client.get("/")["Cache-Control"] == response["Cache-Control"] or client.get("/")["X-Page-Cache"] == "hit"


def test_without_an_edge_browsers_revalidate_as_before(world, client, settings):
    settings.EDGE_CACHE_SECONDS = 0
    response = client.get("/news/cobalt/")
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert tags_of(response) == ["article-cobalt", "nav"]


def test_search_is_shared_at_the_edge_for_five_minutes_but_not_stored_here(world, client):
    response = client.get("/search/?q=cobalt")
    assert response.status_code == 200 and "X-Page-Cache" not in response.headers
    assert (
        response["Cache-Control"] == "public, max-age=0, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400"
    )
    assert tags_of(response) == ["lists", "nav", "search"]
