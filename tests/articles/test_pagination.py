"""List pagination (articles.pagination._ListPaginator): page links around the current page, counted only as far
as they reach, so the cost follows the page number and not the size of the archive."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PAGE_CACHE_ENABLED = False


def _links(html: str) -> list[str]:
    nav = re.search(r'<nav class="pagination-nav.*?</nav>', html, re.S)
    if nav is None:
        return []
    items = re.findall(r'<li class="page-item[^"]*">(.*?)</li>', nav.group(0), re.S)
    return [re.sub(r"<[^>]+>|Page ", "", item).strip() for item in items]


@pytest.fixture
def listed():
    """95 published articles in one section, tag and author: 10 pages of 10 (page 10 has 5)."""
    section, author = make_section(name="Paged", slug="paged"), make_author(name="Paged Author", slug="paged-author")
    now = timezone.now()
    for n in range(95):
        make_article(section=section, authors=[author], tags=["paged"], published_at=now - timedelta(hours=n + 1))
    return ["/section/paged/", "/tag/paged/", "/author/paged-author/"]


def test_first_page_links_a_window_and_says_more_follow(client, listed):
    for url in listed:
        assert _links(client.get(url).content.decode()) == ["1", "2", "3", "…", "Older →"], url


def test_a_middle_page_links_both_ways(client, listed):
    for url in listed:
        links = _links(client.get(url + "?page=5").content.decode())
        assert links == ["← Newer", "1", "…", "3", "4", "5", "6", "7", "…", "Older →"], url


def test_near_the_end_the_count_is_exact_and_the_last_page_is_linked(client, listed):
    for url in listed:
        assert _links(client.get(url + "?page=8").content.decode()) == [
            "← Newer", "1", "…", "6", "7", "8", "9", "10", "Older →"
        ], url  # fmt: skip
        assert _links(client.get(url + "?page=10").content.decode()) == ["← Newer", "1", "…", "8", "9", "10"], url
        last = client.get(url + "?page=10").content.decode()
        assert last.count('<article class="article-card') == 5, url


@pytest.mark.parametrize("page", ["11", "0", "-1", "x", "2.5"])
def test_pages_that_do_not_exist_are_404(client, listed, page):
    for url in listed:
        assert client.get(f"{url}?page={page}").status_code == 404, url


def test_a_short_list_has_no_page_links(client):
    article = make_article(tags=["lonely"])
    assert _links(client.get(f"/section/{article.section.slug}/").content.decode()) == []
    assert _links(client.get("/tag/lonely/").content.decode()) == []


@pytest.mark.parametrize("page", ["11", str(2**31), str(2**62), str(10**30)])
def test_a_page_number_past_the_archive_is_a_404_however_large(client, listed, page):
    """Regression: a page number whose row offset overflowed PostgreSQL's bigint was a 500."""
    for url in ("/", *listed):
        assert client.get(url, {"page": page}).status_code == 404
