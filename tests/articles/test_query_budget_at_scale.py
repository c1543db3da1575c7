"""Every reader page runs the same SQL queries at demo size and with 10,000 more published articles.

tests/articles/test_query_budget.py grows the parts of a few articles; this grows the archive: 10,000
articles in the measured section, under the measured tag and author, with comments, written with
bulk_create so the test stays quick. A query per row, or a page that counts or sorts the whole archive
in Python, would show as a difference. (Time at that size is measured by bench/, not asserted here.)
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles.models import Article, ArticleAuthor
from comments.models import Comment
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

ARCHIVE = 10_000


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PAGE_CACHE_ENABLED = False


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _grow_archive(section, author, tag):
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Archived brief {n}",
            slug=f"archived-brief-{n}",
            standfirst="From the archive.",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(days=2, minutes=n),
            first_published_at=now - timedelta(days=2, minutes=n),
            section=section,
        )
        for n in range(ARCHIVE)
    )
    ArticleAuthor.objects.bulk_create(ArticleAuthor(article=a, author=author) for a in articles)
    TaggedItem.objects.bulk_create(TaggedItem(content_object=a, tag=tag) for a in articles)
    Comment.objects.bulk_create(
        Comment(article=a, name="Reader", email="reader@example.org", body="Useful.", status="approved")
        for a in articles[:2000]
    )


def test_reader_pages_cost_the_same_with_10k_more_articles(client):
    section = make_section(name="Scaled", slug="scaled")
    author = make_author(name="Scaled Author", slug="scaled-author")
    article = make_article(
        title="Measured", slug="measured", section=section, authors=[author], tags=["scaled"], full_brief=True
    )
    # A demo-sized site: the home page has a lead article and a list under it.
    make_article(section=section, authors=[author], tags=["scaled"], published_at=timezone.now() - timedelta(hours=2))
    pages = {
        "home": "/",
        "article": article.get_absolute_url(),
        "section": "/section/scaled/",
        "tag": "/tag/scaled/",
        "author": "/author/scaled-author/",
        "archive": "/archive/",
        "feed": "/feed/",
        "sitemap index": "/sitemap.xml",
        "news sitemap": "/news-sitemap.xml",
    }
    demo = {name: _queries(client, url) for name, url in pages.items()}
    _grow_archive(section, author, Tag.objects.get(slug="scaled"))
    assert Article.objects.published().count() == ARCHIVE + 2
    scaled = {name: _queries(client, url) for name, url in pages.items()}
    assert scaled == demo
    # Deep pages exist and cost the same as the first (the count stops after the page links).
    for url in ("/", "/section/scaled/", "/tag/scaled/", "/author/scaled-author/"):
        assert (
            _queries(client, f"{url}?page=500")
            == demo[
                {"/": "home", "/section/scaled/": "section", "/tag/scaled/": "tag", "/author/scaled-author/": "author"}[
                    url
                ]
            ]
        ), url
