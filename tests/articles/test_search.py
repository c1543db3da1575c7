"""Search: full text on the stored vector, websearch syntax, ranking, snippets, filters, and bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.search import refresh_search_vector
from tests.articles.reader_data import RUSSIA_TITLE, make_russia_brief
from tests.articles.test_views import hidden_articles
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def titles(response):
    return [article.title for article in response.context["page_obj"].object_list]


def indexed(**kwargs):
    article = make_article(**kwargs)
    refresh_search_vector(article)
    return article


def test_separation_finds_the_russia_brief_with_a_highlighted_snippet(client):
    make_russia_brief()
    indexed(title="Lithium brines in Chile", standfirst="Evaporation ponds and water use.")
    for article in hidden_articles(tags=["Separation"]):
        article.standfirst = "Separation secrets"
        article.save()
        refresh_search_vector(article)
    response = client.get("/search/?q=separation")
    assert response.status_code == 200
    assert titles(response) == [RUSSIA_TITLE]
    html = response.content.decode()
    assert "<mark>separation</mark>" in html
    assert "Secret" not in html
    assert "1 brief found" in html


def test_title_matches_rank_above_body_matches(client):
    body_match = indexed(
        title="Market wrap", standfirst="Prices fell.", published_at=timezone.now() - timedelta(hours=1)
    )
    body_match.intro = "A note on dysprosium supply."
    body_match.intro_html = "<p>A note on dysprosium supply.</p>"
    body_match.save()
    refresh_search_vector(body_match)
    indexed(
        title="Dysprosium supply tightens", standfirst="Prices rose.", published_at=timezone.now() - timedelta(days=9)
    )
    assert titles(client.get("/search/?q=dysprosium")) == ["Dysprosium supply tightens", "Market wrap"]


def test_websearch_syntax_phrases_or_and_exclusion(client):
    indexed(title="Heavy rare earths from ionic clays", standfirst="Myanmar supplies most of them.")
    indexed(title="Rare earth magnets in wind turbines", standfirst="Heavy demand ahead.")
    indexed(title="Copper smelting", standfirst="Chile and Peru.")
    assert titles(client.get('/search/?q="heavy rare earths"')) == ["Heavy rare earths from ionic clays"]
    assert sorted(titles(client.get("/search/?q=copper OR magnets"))) == [
        "Copper smelting",
        "Rare earth magnets in wind turbines",
    ]
    assert titles(client.get("/search/?q=rare -magnets")) == ["Heavy rare earths from ionic clays"]


def test_filters_by_section_tag_and_date(client):
    policy, markets = make_section(name="Policy", slug="policy"), make_section(name="Markets", slug="markets")
    old = indexed(
        title="Magnet tariffs old", section=policy, tags=["Tariffs"], published_at=timezone.now() - timedelta(days=40)
    )
    indexed(
        title="Magnet tariffs new", section=markets, tags=["Trade"], published_at=timezone.now() - timedelta(days=1)
    )
    by_section = client.get("/search/?q=magnet&section=policy")
    assert titles(by_section) == ["Magnet tariffs old"]
    assert '<option value="policy" selected>Policy</option>' in by_section.content.decode()
    assert titles(client.get("/search/?q=magnet&tag=trade")) == ["Magnet tariffs new"]
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert titles(client.get(f"/search/?q=magnet&date_from={since}")) == ["Magnet tariffs new"]
    until = old.published_at.date().isoformat()
    assert titles(client.get(f"/search/?q=magnet&date_to={until}")) == ["Magnet tariffs old"]


@pytest.mark.parametrize(
    "query",
    ["", "?q=", "?q=%20%20", "?q=!!!", "?q=%22%22", "?q=-", "?q=%3C%3E%26", "?q=(", "?q=a%00b", "?q=the"],
)
def test_empty_punctuation_and_odd_queries_get_a_helpful_page(client, query):
    indexed(title="Something to find")
    response = client.get("/search/" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Search the briefs" in html or "Nothing matched" in html or "0 briefs found" in html


def test_invalid_filters_are_explained_not_errors(client):
    response = client.get("/search/?q=magnet&date_from=yesterday&section=nope")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please check the filters" in html
    assert "Enter a valid date." in html
    response = client.get("/search/?q=magnet&date_from=2025-02-01&date_to=2025-01-01")
    assert "The end date is before the start date." in response.content.decode()


def test_search_paginates_and_keeps_the_query(client):
    for n in range(12):
        indexed(title=f"Cerium oversupply {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    first = client.get("/search/?q=cerium")
    assert len(titles(first)) == 10
    assert 'href="?q=cerium&amp;page=2"' in first.content.decode()
    assert len(titles(client.get("/search/?q=cerium&page=2"))) == 2
    assert client.get("/search/?q=cerium&page=9").status_code == 404


def test_snippet_escapes_article_text(client):
    indexed(title="Escaping", standfirst="Yttrium <script>alert(1)</script> & friends")
    html = client.get("/search/?q=yttrium").content.decode()
    assert "<script>alert(1)" not in html
    assert "<mark>Yttrium</mark>" in html
    assert "&amp; friends" in html
