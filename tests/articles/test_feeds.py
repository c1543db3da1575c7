"""RSS and Atom feeds, for the site and per section, tag and author: parsed, and their content checked."""

from datetime import timedelta

import feedparser
import pytest
from django.conf import settings
from django.utils import timezone

from tests.articles.reader_data import HIGHLIGHTS, RUSSIA_DOI, RUSSIA_TITLE, make_russia_brief
from tests.articles.test_views import hidden_articles
from tests.factories import make_article

pytestmark = pytest.mark.django_db
# As the pages spell it (SITE_URL), never a hardcoded host.
SITE_URL = settings.SITE_URL

FEEDS = {
    "/feed/": "rss20",
    "/feed/atom/": "atom10",
    "/section/research-briefs/feed/": "rss20",
    "/section/research-briefs/feed/atom/": "atom10",
    "/tag/russia/feed/": "rss20",
    "/tag/russia/feed/atom/": "atom10",
    "/author/daniel/feed/": "rss20",
    "/author/daniel/feed/atom/": "atom10",
}


@pytest.fixture
def brief():
    article = make_russia_brief()
    hidden_articles(section=article.section, tags=["Russia"], authors=list(article.authors.all()))
    return article


@pytest.mark.parametrize("url", list(FEEDS))
def test_feed_parses_and_carries_standfirst_highlights_and_citation(client, brief, url):
    response = client.get(url)
    assert response.status_code == 200
    expected_type = "application/rss+xml" if FEEDS[url] == "rss20" else "application/atom+xml"
    assert response["Content-Type"].startswith(expected_type)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == FEEDS[url]
    assert [entry.title for entry in feed.entries] == [RUSSIA_TITLE]  # drafts, scheduled etc. never appear
    entry = feed.entries[0]
    assert entry.link == f"{SITE_URL}/news/russias-rare-earths-crossroads/"
    body = entry.get("summary", "")
    assert brief.standfirst in body
    for highlight in HIGHLIGHTS:
        assert highlight.replace("'", "&#x27;") in body or highlight in body
    assert "Mochalova, L. A., &amp; Podkorytov, V. N. (2025)." in body
    assert f"https://doi.org/{RUSSIA_DOI}" in body
    assert entry.author == "Daniel O'Connor"
    assert [tag.term for tag in entry.tags] == ["Research Briefs", "Magnets", "Russia", "Separation"]


def test_site_feed_is_newest_first_and_limited(client):
    for n in range(25):
        make_article(title=f"Brief {n:02d}", published_at=timezone.now() - timedelta(hours=n + 1))
    feed = feedparser.parse(client.get("/feed/").content)
    assert [entry.title for entry in feed.entries] == [f"Brief {n:02d}" for n in range(20)]
    assert feed.feed.link == f"{SITE_URL}/"


def test_feeds_answer_304_on_a_repeat_request(client, brief):
    for url in ("/feed/", "/feed/atom/", "/tag/russia/feed/"):
        first = client.get(url)
        assert first["ETag"]
        repeat = client.get(url, headers={"if-none-match": first["ETag"]})
        assert repeat.status_code == 304, url
    etag = client.get("/feed/")["ETag"]
    make_article(title="Fresh news")
    assert client.get("/feed/", headers={"if-none-match": etag}).status_code == 200


def test_unknown_or_draft_only_feeds_are_404(client):
    make_article(status="draft", tags=["Secret tag"])
    for url in ("/section/nope/feed/", "/tag/nope/feed/", "/tag/secret-tag/feed/", "/author/nope/feed/atom/"):
        assert client.get(url).status_code == 404, url
