"""Drafts, articles in review, scheduled and unpublished articles never show through any endpoint or filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Citation
from articles.search import refresh_search_vector
from tests.factories import make_article, make_author, make_source

pytestmark = pytest.mark.django_db

HIDDEN_STATES = [
    {"status": Article.Status.DRAFT},
    {"status": Article.Status.REVIEW},
    {"status": Article.Status.UNPUBLISHED, "published_at": timezone.now() - timedelta(days=3)},
    {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + timedelta(days=1)},  # scheduled
]


@pytest.fixture(params=HIDDEN_STATES, ids=["draft", "review", "unpublished", "scheduled"])
def hidden(request):
    """A hidden article with its own word, tag, author and source, and a source it shares with a live one."""
    shared = make_source(doi="10.5555/shared.source")
    live = make_article(title="Live brief on cerium", slug="live-brief", full_brief=True)
    Citation.objects.create(article=live, source=shared, position=5)
    refresh_search_vector(live)
    secret_author = make_author(name="Embargoed Writer", slug="embargoed-writer")
    article = make_article(
        title="Zirconoxyembargo deal revealed",
        slug="embargoed-brief",
        authors=[secret_author],
        tags=["embargotag"],
        **request.param,
    )
    own = make_source(doi="10.5555/embargoed.only", title="Embargoed only source")
    Citation.objects.create(article=article, source=own, position=0)
    Citation.objects.create(article=article, source=shared, position=1)
    refresh_search_vector(article)
    return {"article": article, "live": live, "own": own, "shared": shared}


def _text(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_hidden_article_is_a_404(client, hidden):
    status, body = _text(client, "/api/v1/articles/embargoed-brief")
    assert status == 404 and "Zirconoxyembargo" not in body


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=Zirconoxyembargo",
        "tag=embargotag",
        "author=embargoed-writer",
        "doi=10.5555/embargoed.only",
        "doi=10.5555/shared.source",
        "evidence=peer_reviewed",
        "order=title",
        "include=authors,tags,brief,sources",
    ],
)
def test_no_list_or_filter_shows_it(client, hidden, query):
    status, body = _text(client, f"/api/v1/articles/?{query}&limit=100")
    assert status == 200
    assert "embargoed-brief" not in body and "Zirconoxyembargo" not in body


def test_the_live_article_is_still_found_by_the_same_filters(client, hidden):
    # The negative case above means something only if the same filters do find a live article.
    slugs = [a["slug"] for a in client.get("/api/v1/articles/?doi=10.5555/shared.source").json()["articles"]]
    assert slugs == ["live-brief"]


def test_sources_tags_and_authors_known_only_from_it_are_hidden(client, hidden):
    own = hidden["own"]
    assert client.get(f"/api/v1/sources/{own.pk}").status_code == 404
    assert client.get("/api/v1/authors/embargoed-writer").status_code == 404
    assert client.get("/api/v1/tags/embargotag").status_code == 404
    for url in ("/api/v1/sources/?include=briefs&limit=100", "/api/v1/authors/?limit=100", "/api/v1/tags/?limit=100"):
        status, body = _text(client, url)
        assert status == 200
        for secret in ("Embargoed only source", "embargoed-writer", "embargotag", "embargoed-brief"):
            assert secret not in body, (url, secret)


def test_a_shared_source_lists_only_its_published_citing_briefs(client, hidden):
    data = client.get(f"/api/v1/sources/{hidden['shared'].pk}").json()["source"]
    assert [brief["slug"] for brief in data["briefs"]] == ["live-brief"]


def test_it_appears_once_published(client, hidden):
    article = hidden["article"]
    article.status, article.published_at = Article.Status.PUBLISHED, timezone.now() - timedelta(minutes=1)
    article.save()
    assert client.get("/api/v1/articles/embargoed-brief").status_code == 200
    assert client.get("/api/v1/tags/embargotag").status_code == 200
