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

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[1] / "vendor" / "sitemap.xsd")))
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
BASE = settings.SITE_URL  # as the pages spell it, never a hardcoded host


def test_sitemap_validates_and_lists_only_published_content(client):
    brief = make_russia_brief()
    empty_section = make_section(name="Empty", slug="empty")
    make_author(name="Idle", slug="idle")
    hidden_articles(section=empty_section, tags=["Secret"])
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    locations = document.xpath("//sm:url/sm:loc/text()", namespaces=NS)
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
    lastmods = document.xpath("//sm:url/sm:lastmod/text()", namespaces=NS)
    assert len(lastmods) == len(locations)
    assert set(lastmods) == {brief.updated_at.isoformat()}
    assert response["Last-Modified"]
    assert client.get("/sitemap.xml", headers={"if-none-match": response["ETag"]}).status_code == 304


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
    # With the news elements removed, what remains is a schema-valid sitemap.
    for news in document.xpath("//news:news", namespaces=NS):
        news.getparent().remove(news)
    SCHEMA.assertValid(document)
