"""Every reader page costs a fixed number of SQL queries, whatever the size of the content.

Budgets: the article page at most 8 (the brief, related articles, the
sidebar's recent news, the navigation, and the comments area's own queries);
list pages at most 6. Each page is measured on a small and on a large data set
and must cost exactly the same: a query per item would show up as a difference.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import BriefSection, Citation, Correction, Finding, Highlight, Limitation, Signal
from articles.search import refresh_search_vector
from tests.factories import make_article, make_author, make_comment, make_section, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    # Measure the pages as rendered, not as replayed by the whole-page cache (reex.pagecache).
    settings.PAGE_CACHE_ENABLED = False


ARTICLE_BUDGET = 8
LIST_BUDGET = 6


def grow(article, n):
    """Give `article` n more of every part of the brief, n authors, n tags, n citations and n comments."""
    for i in range(n):
        Highlight.objects.create(article=article, position=10 + i, text=f"Extra highlight {i}")
        Finding.objects.create(article=article, position=10 + i, headline=f"Finding {i}", explanation_html="<p>x</p>")
        BriefSection.objects.create(article=article, position=10 + i, heading=f"Section {i}", body_html="<p>y</p>")
        Signal.objects.create(article=article, position=10 + i, kind=Signal.Kind.SOLID, text=f"Solid {i}")
        Signal.objects.create(article=article, position=20 + i, kind=Signal.Kind.SPECULATIVE, text=f"Maybe {i}")
        Limitation.objects.create(article=article, position=10 + i, label=f"Limit {i}", text="z")
        Citation.objects.create(article=article, position=10 + i, source=make_source())
        Correction.objects.create(article=article, text=f"Correction {i}")
        article.bylines.create(author=make_author(bio=f"Bio {i}"), position=10 + i)
        article.tags.add(f"extra-tag-{i}")
        parent = make_comment(article=article, body="Thanks")
        make_comment(article=article, parent=parent, name="Editor", email="e@example.com", body=f"Reply {i}")
    refresh_search_vector(article)


def build(size, key):
    """A site: the measured article plus `size` other published articles, all with a full brief."""
    section = make_section(name=f"Budget {key}", slug=f"budget-{key}")
    author = make_author(name=f"Counted Author {key}", slug=f"counted-{key}")
    article = make_article(
        title="Measured separation brief",
        slug=f"measured-{key}",
        section=section,
        authors=[author],
        tags=[f"shared-{key}"],
        full_brief=True,
    )
    refresh_search_vector(article)
    for n in range(size):
        other = make_article(
            title=f"Other separation brief {n}",
            section=section,
            authors=[author, make_author()],
            tags=[f"shared-{key}", f"t{key}{n}"],
            full_brief=True,
            published_at=timezone.now() - timedelta(hours=n + 2),
        )
        grow(other, 2)
    if size > 1:
        grow(article, size)
    return article


PAGES = {
    "home": ("/", LIST_BUDGET),
    "article": ("/news/measured-{key}/", ARTICLE_BUDGET),
    "section": ("/section/budget-{key}/", LIST_BUDGET),
    "tag": ("/tag/shared-{key}/", LIST_BUDGET),
    "author": ("/author/counted-{key}/", LIST_BUDGET),
    "search": ("/search/?q=separation", LIST_BUDGET),
    "archive": ("/archive/", LIST_BUDGET),
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response


@pytest.mark.parametrize("name", list(PAGES))
def test_page_cost_is_within_budget_and_independent_of_content_size(client, name, django_assert_max_num_queries):
    url, budget = PAGES[name]
    build(1, "small")
    small, _ = count_queries(client, url.format(key="small"))
    # A second, larger site in the same database: more articles, and many more parts on each.
    build(6, "large")
    with django_assert_max_num_queries(budget):
        large, response = count_queries(client, url.format(key="large"))
    assert large == small, f"{name}: {small} queries with small content, {large} with large content"
    if name == "article":
        html = response.content.decode()
        assert html.count('class="finding"') == 7
        assert html.count('class="author-box"') == 7


def test_article_budget_counts_the_comments_and_sidebar(client):
    """The whole page is measured, not just the view: the comments area and recent news are inside the 8."""
    build(3, "x")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/news/measured-x/")
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert response.status_code == 200
    assert "comments_comment" in sql  # the comments area ran its query within this request
    assert len(captured.captured_queries) <= ARTICLE_BUDGET
