"""Sitemaps: valid against the sitemaps.org schema, published content only, with lastmod; the Google News sitemap."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from lxml import etree

from tests.articles.reader_data import make_russia_brief
from tests.articles.test_views import hidden_articles
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

VENDOR = Path(__file__).resolve().parents[1] / "vendor"
SCHEMA = etree.XMLSchema(etree.parse(str(VENDOR / "sitemap.xsd")))
INDEX_SCHEMA = etree.XMLSchema(etree.parse(str(VENDOR / "siteindex.xsd")))
NEWS_SCHEMA = etree.XMLSchema(etree.parse(str(VENDOR / "sitemap-with-news.xsd")))
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
BASE = settings.SITE_URL  # as the pages spell it, never a hardcoded host


def _index_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    INDEX_SCHEMA.assertValid(document)
    return response, document.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)


def _sitemap(client, location):
    assert location.startswith(BASE)
    response = client.get(location.removeprefix(BASE))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    return document


def test_sitemap_validates_and_lists_only_published_content(client):
    brief = make_russia_brief()
    empty_section = make_section(name="Empty", slug="empty")
    make_author(name="Idle", slug="idle")
    hidden_articles(section=empty_section, tags=["Secret"])
    response, sitemaps = _index_locations(client)
    assert sitemaps == [
        f"{BASE}/sitemap-articles.xml",
        f"{BASE}/sitemap-sections.xml",
        f"{BASE}/sitemap-tags.xml",
        f"{BASE}/sitemap-authors.xml",
    ]
    locations, lastmods = [], []
    for sitemap in sitemaps:
        document = _sitemap(client, sitemap)
        locations += document.xpath("//sm:url/sm:loc/text()", namespaces=NS)
        lastmods += document.xpath("//sm:url/sm:lastmod/text()", namespaces=NS)
    assert sorted(locations) == sorted(
        [
            BASE + brief.get_absolute_url(),
            BASE + "/section/research-briefs/",
            BASE + "/tag/magnets/",
            BASE + "/tag/russia/",
            BASE + "/tag/separation/",
            BASE + "/author/daniel/",
        ]
    )
    assert len(lastmods) == len(locations)
    assert set(lastmods) == {brief.updated_at.isoformat()}
    assert response["Last-Modified"]
    assert client.get("/sitemap.xml", headers={"if-none-match": response["ETag"]}).status_code == 304


def test_the_index_uses_site_url_whatever_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    make_article()
    response = client.get("/sitemap.xml", HTTP_HOST="evil.example")
    document = etree.fromstring(response.content)
    assert document.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)[0] == f"{BASE}/sitemap-articles.xml"
    assert b"evil.example" not in response.content


def test_the_index_splits_a_sitemap_past_its_limit(client, monkeypatch):
    from articles.sitemaps import ArticleSitemap

    # The protocol's limit, 50,000 addresses a file; lowered here so the split shows with 7 articles.
    assert ArticleSitemap.limit == 50_000
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    articles = [make_article(published_at=timezone.now() - timedelta(hours=n + 1)) for n in range(7)]
    _, sitemaps = _index_locations(client)
    assert sitemaps[:3] == [
        f"{BASE}/sitemap-articles.xml",
        f"{BASE}/sitemap-articles.xml?p=2",
        f"{BASE}/sitemap-articles.xml?p=3",
    ]
    assert sitemaps[3] == f"{BASE}/sitemap-sections.xml"
    seen = []
    for sitemap in sitemaps[:3]:
        urls = _sitemap(client, sitemap).xpath("//sm:url/sm:loc/text()", namespaces=NS)
        assert len(urls) == (1 if sitemap.endswith("p=3") else 3)
        seen += urls
    assert seen == [BASE + article.get_absolute_url() for article in articles]
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_news_sitemap_is_valid_on_a_day_with_no_news(client):
    make_article(title="Old news", published_at=timezone.now() - timedelta(days=3))
    hidden_articles()
    response = client.get("/news-sitemap.xml")
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    NEWS_SCHEMA.assertValid(document)
    # The home page alone, with no news elements: nothing for Google News, and still a valid file.
    assert document.xpath("//sm:url/sm:loc/text()", namespaces=NS) == [BASE + "/"]
    assert document.xpath("//news:news", namespaces=NS) == []


def test_news_sitemap_has_only_the_last_two_days(client):
    recent = make_article(title="Fresh & <new>", published_at=timezone.now() - timedelta(hours=5))
    make_article(title="Old news", published_at=timezone.now() - timedelta(days=3))
    hidden_articles()
    response = client.get("/news-sitemap.xml")
    document = etree.fromstring(response.content)
    assert document.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    urls = document.xpath("//sm:url", namespaces=NS)
    assert len(urls) == 1
    url = urls[0]
    assert url.xpath("sm:loc/text()", namespaces=NS) == [BASE + recent.get_absolute_url()]
    assert url.xpath("news:news/news:title/text()", namespaces=NS) == ["Fresh & <new>"]
    assert url.xpath("news:news/news:publication/news:name/text()", namespaces=NS) == ["Rare Earth Exchanges"]
    assert url.xpath("news:news/news:publication/news:language/text()", namespaces=NS) == ["en"]
    assert url.xpath("news:news/news:publication_date/text()", namespaces=NS) == [recent.published_at.isoformat()]
    NEWS_SCHEMA.assertValid(document)
    # The negative case: the news schema is really checked (a news entry without its title fails).
    url.find("news:news", namespaces=NS).remove(url.find("news:news/news:title", namespaces=NS))
    assert not NEWS_SCHEMA.validate(document)
