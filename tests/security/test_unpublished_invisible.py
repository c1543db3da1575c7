"""Drafts, articles in review, scheduled and unpublished articles leak nowhere.

Not to anonymous readers (pages, search, feeds, sitemaps, JSON-LD, the
newsletter digest and its archive, comment endpoints), not through the page
cache, and not to another writer (previews).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.sharing import share_link_create
from articles.sitemaps import SITEMAPS
from newsletter import services as newsletter_services
from newsletter.models import Subscriber
from tests.factories import make_article, make_author, make_comment, make_section, make_source, make_user

pytestmark = pytest.mark.django_db
S = Article.Status
HIDDEN = {
    "draft": {"status": S.DRAFT},
    "review": {"status": S.REVIEW},
    "scheduled": {"status": S.PUBLISHED, "published_at": timezone.now() + timedelta(days=2)},
    "unpublished": {"status": S.UNPUBLISHED},
}


@pytest.fixture
def world():
    """One live article, and one hidden article of each kind with its own section, author, tag and source."""
    writer = make_user(username="writer-a", groups=["Writers"], is_staff=True)
    live = make_article(title="Visible lithium brief", tags=["lithium"], full_brief=True, standfirst="visiblemark")
    hidden = {}
    for kind, fields in HIDDEN.items():
        mark = f"secret{kind}mark"
        article = make_article(
            title=f"Hidden {mark} brief",
            slug=f"hidden-{kind}",
            standfirst=f"{mark} standfirst",
            # Sections and authors are site structure (the navigation lists every section), not
            # article content; they get plain names. The article's own words carry the mark.
            section=make_section(name=f"Section {kind}", slug=f"{kind}-section"),
            authors=[make_author(name=f"Author {kind}", slug=f"{kind}-author")],
            tags=["lithium", mark],
            created_by=writer,
            **fields,
        )
        if kind == "scheduled":
            # The schedule must not leak the text early either.
            Article.objects.filter(pk=article.pk).update(first_published_at=None)
        source = make_source(title=f"{mark} source paper")
        from articles.models import Citation

        Citation.objects.create(article=article, source=source, position=0)
        make_comment(article=article, body=f"{mark} comment")
        hidden[kind] = (article, mark, source)
    return live, hidden, writer


def _public_urls(live, hidden):
    urls = [
        "/",
        reverse("articles:archive"),
        reverse("articles:search") + "?q=secret",
        reverse("articles:search") + "?q=brief",
        reverse("articles:search") + "?q=lithium",
        reverse("articles:feed"),
        reverse("articles:feed-atom"),
        reverse("articles:tag", args=["lithium"]),
        reverse("articles:tag-feed", args=["lithium"]),
        reverse("articles:tag-feed-atom", args=["lithium"]),
        reverse("articles:sitemap"),
        # /sitemap.xml is an index: the addresses are in one sitemap per kind.
        *(reverse("articles:sitemap-section", kwargs={"section": kind}) for kind in SITEMAPS),
        reverse("articles:news-sitemap"),
        reverse("articles:robots"),
        reverse("newsletter:archive"),
        live.get_absolute_url(),
        live.section.get_absolute_url(),
    ]
    now = timezone.localtime()
    for when in (now, now + timedelta(days=2)):
        urls.append(reverse("articles:archive-month", kwargs={"year": when.year, "month": when.month}))
    for _article, mark, _source in hidden.values():
        urls.append(reverse("articles:search") + f"?q={mark}")
    return urls


def _hidden_urls(hidden):
    """Pages of the hidden articles themselves: each must be a 404 (or a sign-in page for previews)."""
    urls = []
    for article, mark, source in hidden.values():
        urls += [
            article.get_absolute_url(),
            article.section.get_absolute_url(),
            article.authors.get().get_absolute_url(),
            reverse("articles:tag", args=[mark]),
            reverse("articles:tag-feed", args=[mark]),
            reverse("articles:section-feed", args=[article.section.slug]),
            reverse("articles:author-feed", args=[article.authors.get().slug]),
            source.get_absolute_url(),
            reverse("comments:reply", args=[article.comments.get().pk]),
        ]
    return urls


def _leaks(body: str, url: str, hidden) -> list[str]:
    """The hidden articles' words found in a page; a bare mark counts unless the URL itself carries it (search)."""
    found = []
    for _article, mark, _ in hidden.values():
        words = [f"Hidden {mark} brief", f"{mark} standfirst", f"{mark} comment", f"{mark} source paper"]
        if mark not in url:
            words.append(mark)
        found += [word for word in words if word in body]
    return found


def _assert_nothing_leaks(client, live, hidden, *, who):
    for url in _public_urls(live, hidden):
        response = client.get(url)
        assert response.status_code in (200, 404), (who, url, response.status_code)
        leaked = _leaks(response.content.decode(), url, hidden)
        assert not leaked, f"{who}: {url} shows {leaked}"
    for url in _hidden_urls(hidden):
        response = client.get(url)
        leaked = _leaks(response.content.decode(), url, hidden)
        assert not leaked, f"{who}: {url} shows {leaked}"
        # A section or author with only hidden articles may have a page (empty), never the articles.
        assert response.status_code in (200, 404), (who, url, response.status_code)


def test_anonymous_readers_see_no_hidden_article_anywhere(client, world):
    live, hidden, _ = world
    assert client.get(live.get_absolute_url()).status_code == 200
    assert "visiblemark" in client.get(reverse("articles:feed")).content.decode()
    _assert_nothing_leaks(client, live, hidden, who="anonymous")
    for article, _mark, _ in hidden.values():
        assert client.get(article.get_absolute_url()).status_code == 404
        # Readers cannot comment on it either.
        response = client.post(reverse("comments:post", args=[article.pk]), {"name": "x", "body": "y"})
        assert response.status_code == 404


def test_the_page_cache_does_not_hand_a_staff_view_to_readers(client, world):
    live, hidden, writer = world
    staff = Client()
    staff.force_login(writer)
    for article, _mark, _ in hidden.values():
        staff.get(reverse("articles:preview", args=[article.pk]))
    for url in _public_urls(live, hidden):
        staff.get(url)  # a signed-in writer warms every page first
    _assert_nothing_leaks(client, live, hidden, who="anonymous after a writer")


def test_another_writer_cannot_preview_or_find_them(world):
    live, hidden, _author_writer = world
    other = Client()
    other.force_login(make_user(username="writer-b", groups=["Writers"], is_staff=True))
    for article, mark, _ in hidden.values():
        response = other.get(reverse("articles:preview", args=[article.pk]))
        assert response.status_code == 404
        assert mark not in response.content.decode()
        changelist = other.get(reverse("admin:articles_article_changelist") + f"?q={mark}")
        assert f"Hidden {mark} brief" not in changelist.content.decode()
    _assert_nothing_leaks(other, live, hidden, who="another writer")


def test_a_forged_or_guessed_share_link_shows_nothing(client, world):
    _live, hidden, _ = world
    article, mark, _ = hidden["draft"]
    _link, token = share_link_create(article=article, by=None, pinned=False)
    for forged in (token[:-2] + "xx", f"{article.pk}", f"{article.pk}:abc:def", "", "..%2f..%2f"):
        if not forged:
            continue
        response = client.get(f"/preview/s/{forged}/")
        assert response.status_code == 404  # a bad signature or no such route; 410 is for a real, expired link
        assert mark not in response.content.decode()


def test_the_newsletter_digest_carries_only_live_articles(world, django_capture_on_commit_callbacks):
    live, hidden, _ = world
    Subscriber.objects.create(email="s@example.org", status=Subscriber.Status.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=True):
        digest = newsletter_services.digest_build()
        assert [a.pk for a in digest.ordered_articles()] == [live.pk]
        newsletter_services.digest_send(digest=digest)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body + "".join(content for content, _ in mail.outbox[0].alternatives)
    assert "Visible lithium brief" in body
    for _article, mark, _ in hidden.values():
        assert mark not in body
    page = Client().get(digest.get_absolute_url()).content.decode()
    assert not [mark for _, mark, _ in hidden.values() if mark in page]
