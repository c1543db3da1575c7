"""The anonymous page cache (reex/pagecache.py): hits, bypasses, precise invalidation, scheduling, HTTP caching."""

import gzip
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils import timezone

from articles.models import Article, Highlight
from comments import visitor
from comments.models import Comment
from reex import pagecache
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def _get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response.headers.get("X-Page-Cache")


def _without_nonce(html: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]+"', b'nonce=""', html)


def test_second_anonymous_request_is_served_from_cache_without_queries(client, django_assert_num_queries):
    article = make_article(full_brief=True)
    for url in ("/", article.get_absolute_url(), "/feed/", "/sitemap.xml", f"/section/{article.section.slug}/"):
        first, state = _get(client, url)
        assert (first.status_code, state) == (200, "miss"), url
        with django_assert_num_queries(0):
            second, state = _get(client, url)
        assert (second.status_code, state) == (200, "hit"), url
        assert _without_nonce(second.content) == _without_nonce(first.content)
        assert second["Content-Type"] == first["Content-Type"]


def test_head_is_answered_from_the_cached_get(client, django_assert_num_queries):
    article = make_article()
    client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.head(article.get_absolute_url())
    assert (response.status_code, response["X-Page-Cache"]) == (200, "hit")


def test_pages_that_are_not_reader_pages_are_never_cached(client):
    make_article(title="Neodymium magnets")
    for url in ("/search/?q=neodymium", "/healthz", "/csrf/", "/no-such-page/"):
        client.get(url)
        response = client.get(url)
        assert "X-Page-Cache" not in response, url


def test_404_is_not_cached(client):
    assert client.get("/news/not-yet/").status_code == 404
    article = make_article(slug="not-yet")
    response = client.get("/news/not-yet/")
    assert (response.status_code, response["X-Page-Cache"]) == (200, "miss")
    assert article.title.encode() in response.content


def test_staff_are_never_served_cached_pages_and_their_pages_are_not_stored(client):
    article = make_article()
    url = article.get_absolute_url()
    assert _get(client, url)[1] == "miss"
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response, state = _get(client, url)
    assert (response.status_code, state) == (200, "bypass")
    assert "private" in response["Cache-Control"]
    client.logout()
    client.cookies.clear()
    assert _get(client, url)[1] == "hit"  # the anonymous copy, untouched by the staff visit


# The names as the code that sets these cookies spells them, so a rename cannot drift from the cache.
BYPASS_COOKIES = [
    django_settings.SESSION_COOKIE_NAME,
    CookieStorage.cookie_name,
    visitor.PENDING_COOKIE,
    visitor.REMEMBER_COOKIE,
]


def test_the_page_cache_knows_every_cookie_that_makes_a_page_personal():
    assert pagecache.bypass_cookie_names() == set(BYPASS_COOKIES)


@pytest.mark.parametrize("cookie", BYPASS_COOKIES)
def test_a_bypass_cookie_always_gets_a_fresh_page(client, cookie):
    article = make_article()
    url = article.get_absolute_url()
    assert _get(client, url)[1] == "miss"
    assert _get(client, url)[1] == "hit"
    client.cookies[cookie] = "anything"
    assert _get(client, url)[1] == "bypass"
    assert _get(client, url)[1] == "bypass"


def test_an_unrelated_cookie_does_not_bypass(client):
    article = make_article()
    client.get(article.get_absolute_url())
    client.cookies["csrftoken"] = "x" * 32
    client.cookies["_ga"] = "tracking"
    assert _get(client, article.get_absolute_url())[1] == "hit"


def test_editing_an_article_invalidates_its_page_and_the_lists_but_not_other_articles(client):
    edited, other = make_article(full_brief=True), make_article(full_brief=True)
    urls = ["/", edited.get_absolute_url(), other.get_absolute_url(), "/feed/"]
    for url in urls:
        client.get(url)
    assert [_get(client, url)[1] for url in urls] == ["hit", "hit", "hit", "hit"]

    edited.intro = "A corrected introduction."
    edited.intro_html = "<p>A corrected introduction.</p>"
    edited.save()

    states = {url: _get(client, url) for url in urls}
    assert {url: state for url, (_, state) in states.items()} == {
        "/": "miss",
        edited.get_absolute_url(): "miss",
        other.get_absolute_url(): "hit",
        "/feed/": "miss",
    }
    assert b"A corrected introduction." in states[edited.get_absolute_url()][0].content


def test_editing_a_brief_part_invalidates_its_article_only(client):
    edited, other = make_article(full_brief=True), make_article(full_brief=True)
    for article in (edited, other):
        client.get(article.get_absolute_url())
    Highlight.objects.create(article=edited, position=5, text="Samarium supply is the sleeper risk.")
    response, state = _get(client, edited.get_absolute_url())
    assert state == "miss"
    assert b"Samarium supply is the sleeper risk." in response.content
    assert _get(client, other.get_absolute_url())[1] == "hit"


def test_publishing_an_article_shows_it_on_the_home_page_and_in_every_sidebar(client):
    existing = make_article(full_brief=True)
    draft = make_article(title="Gallium export curbs bite", status=Article.Status.DRAFT)
    client.get("/")
    client.get(existing.get_absolute_url())
    assert b"Gallium export curbs bite" not in _get(client, "/")[0].content

    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(seconds=1)
    draft.save()

    home, state = _get(client, "/")
    assert state == "miss"
    assert b"Gallium export curbs bite" in home.content
    page, state = _get(client, existing.get_absolute_url())
    assert state == "miss"  # its sidebar lists recent news
    assert b"Gallium export curbs bite" in page.content


def test_saving_a_draft_does_not_invalidate_reader_pages(client):
    live = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    client.get("/")
    client.get(live.get_absolute_url())
    draft.title = "Still a draft"
    draft.save()
    assert _get(client, "/")[1] == "hit"
    assert _get(client, live.get_absolute_url())[1] == "hit"


def test_unpublishing_removes_the_article_from_the_cache_and_the_lists(client):
    article = make_article(title="Terbium from tailings")
    client.get(article.get_absolute_url())
    client.get("/")
    article.status = Article.Status.UNPUBLISHED
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert b"Terbium from tailings" not in client.get("/").content


def test_changing_a_slug_invalidates_the_old_address(client):
    article = make_article(slug="old-address")
    assert client.get("/news/old-address/").status_code == 200
    article.slug = "new-address"
    article.save()
    # A published article keeps its old address as a permanent redirect; the cached old page is never replayed.
    old = client.get("/news/old-address/")
    assert (old.status_code, old["Location"]) == (301, "/news/new-address/")
    assert _get(client, "/news/new-address/")[0].status_code == 200


def test_approving_a_comment_invalidates_its_article_and_the_lists_only(client):
    article, other = make_article(), make_article()
    comment = make_comment(article=article, status=Comment.Status.PENDING, body="Where is the yttrium?")
    urls = ["/", article.get_absolute_url(), other.get_absolute_url()]
    for url in urls:
        client.get(url)
    assert [_get(client, url)[1] for url in urls] == ["hit", "hit", "hit"]

    # A new pending comment changes nothing a reader sees: the cache stays warm.
    make_comment(article=article, status=Comment.Status.PENDING, body="Spam? Maybe.")
    assert [_get(client, url)[1] for url in urls] == ["hit", "hit", "hit"]

    comment.status = Comment.Status.APPROVED
    comment.save()
    states = [_get(client, url) for url in urls]
    assert [state for _, state in states] == ["miss", "miss", "hit"]
    assert b"Where is the yttrium?" in states[1][0].content

    comment.status = Comment.Status.REMOVED
    comment.save()
    page, state = _get(client, article.get_absolute_url())
    assert state == "miss"
    assert b"Where is the yttrium?" not in page.content


def test_a_scheduled_article_appears_on_time(client):
    make_article(title="Already out")
    soon = timezone.now() + timedelta(seconds=2)
    make_article(title="Lanthanum breakthrough", published_at=soon)
    home, state = _get(client, "/")
    assert state == "miss"
    assert b"Lanthanum breakthrough" not in home.content
    while timezone.now() < soon:
        time.sleep(0.1)
    # The entry stored above expired at the scheduled time at the latest.
    home, state = _get(client, "/")
    assert state == "miss"
    assert b"Lanthanum breakthrough" in home.content
    assert _get(client, "/")[1] == "hit"


def test_entry_lifetime_never_passes_the_next_scheduled_publication(client, settings):
    from reex import pagecache

    make_article()
    assert pagecache.seconds_until_next_publication() is None
    make_article(published_at=timezone.now() + timedelta(seconds=40))
    remaining = pagecache.seconds_until_next_publication()
    assert 30 < remaining <= 40
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "max-age=0" in response["Cache-Control"]


def test_etag_and_conditional_get_on_cached_pages(client, django_assert_num_queries):
    article = make_article()
    url = article.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    # Browsers revalidate at once (max-age=0); shared caches keep it and may serve it stale (reex/edge.py).
    assert etag.startswith('"') and first["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    with django_assert_num_queries(0):
        not_modified = client.get(url, headers={"If-None-Match": etag})
    assert (not_modified.status_code, not_modified["ETag"]) == (304, etag)
    assert not_modified.content == b""
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    # The ETag survives replays (the nonce is not part of it) and changes with the content.
    assert client.get(url)["ETag"] == etag
    article.title = "A new headline"
    article.save()
    assert client.get(url)["ETag"] != etag


def test_reader_pages_carry_no_nonce_so_they_can_be_stored_compressed(client):
    article = make_article(full_brief=True)
    for url in ("/", article.get_absolute_url()):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert (response["X-Page-Cache"], response["Content-Encoding"]) == ("miss", "gzip"), url
        html = gzip.decompress(response.content)
        assert b"nonce" not in html, url
        # Forms carry an empty token field, filled from /csrf/ by site.js: no secret in the compressed page.
        tokens = re.findall(rb'name="csrfmiddlewaretoken" value="([^"]*)"', html)
        assert tokens and set(tokens) == {b""}, url
        assert "nonce" not in response["Content-Security-Policy"], url


def test_a_page_that_uses_a_nonce_is_stored_plain_and_gets_a_fresh_nonce_on_each_replay(rf, settings):
    from django.http import HttpResponse
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    from reex.pagecache import PageCacheMiddleware

    def view(request):
        return HttpResponse(f'<script nonce="{request._csp_nonce}">go()</script>'.encode())

    middleware = PageCacheMiddleware(ContentSecurityPolicyMiddleware(view))
    make_article()
    nonces = []
    for _ in range(3):
        response = middleware(rf.get("/", HTTP_ACCEPT_ENCODING="br, gzip"))
        assert "Content-Encoding" not in response  # a per-response secret is never compressed (BREACH)
        in_body = set(re.findall(rb'nonce="([^"]+)"', response.content))
        header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert len(in_body) == 1 and header is not None
        assert in_body == {header.group(1).encode()}
        nonces.append(header.group(1))
    assert response["X-Page-Cache"] == "hit"
    assert len(set(nonces)) == 3


def test_security_headers_are_kept_on_cached_pages(client):
    article = make_article()
    first = client.get(article.get_absolute_url())
    cached = client.get(article.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit"
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"):
        assert cached[header] == first[header], header


def test_a_view_can_opt_out(rf, settings):
    from django.http import HttpResponse

    from reex.pagecache import PageCacheMiddleware

    def view(request):
        request.reex_no_cache = True
        return HttpResponse("personal")

    middleware = PageCacheMiddleware(view)
    make_article()
    for _ in range(2):
        response = middleware(rf.get("/"))
        assert response.get("X-Page-Cache") is None


def test_a_response_that_sets_a_cookie_is_not_stored(rf):
    from django.http import HttpResponse

    from reex.pagecache import PageCacheMiddleware

    def view(request):
        response = HttpResponse("hello")
        response.set_cookie("reex_seen", "1")
        return response

    middleware = PageCacheMiddleware(view)
    assert [middleware(rf.get("/")).get("X-Page-Cache") for _ in range(2)] == [None, None]


def test_the_cache_can_be_switched_off(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    article = make_article()
    client.get(article.get_absolute_url())
    assert "X-Page-Cache" not in client.get(article.get_absolute_url())


def test_saving_works_and_pages_are_served_when_the_cache_is_down(client, settings):
    # A cache server nobody listens on: every cache call fails.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    article = make_article(title="Saved while Redis is down")
    article.title = "Edited while Redis is down"
    article.save()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert b"Edited while Redis is down" in response.content
    assert "X-Page-Cache" not in response  # served, not cached


def test_only_views_that_opt_in_are_reader_pages():
    article = make_article()
    assert pagecache._cacheable_path(article.get_absolute_url()) == (True, article.slug)
    assert pagecache._cacheable_path("/") == (True, None)
    assert pagecache._cacheable_path("/feed/") == (True, None)
    # Not opted in, whatever their namespace or name: search, previews, the apps' own pages.
    assert pagecache._cacheable_path("/search/") == (False, None)
    assert pagecache._cacheable_path(f"/preview/{article.pk}/") == (False, None)
    assert pagecache._cacheable_path("/newsletter/") == (False, None)
    assert pagecache._cacheable_path("/healthz") == (False, None)


def test_a_view_is_cached_by_its_opt_in_not_by_its_url_name():
    from django.urls import path

    from articles import views

    # A reader page named "research" (the old rule skipped names containing "search") is cached;
    # a view in the articles namespace that did not opt in is not.
    opted_in = path("research/", pagecache.reader_page(views.home), name="research")
    not_opted = path("latest/", views.home, name="detail")
    assert opted_in.callback.reex_reader_page == pagecache.ReaderPage()
    assert getattr(not_opted.callback, "reex_reader_page", None) is None


def test_every_model_an_article_page_shows_forgets_that_page_when_it_changes():
    """A brief part (or anything else hanging off an article) that the page cache was not told about
    would leave readers a stale page with no error: every such model must be registered."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    def registered(signal, uid):
        return any(key[0] == uid for key, *_ in signal.receivers)

    shown = [
        model
        for model in apps.get_app_config("articles").get_models()
        if any(f.many_to_one and f.related_model is Article and f.name == "article" for f in model._meta.fields)
        # Never on a reader page: the editors' log, old addresses, reviewers' share links, editors' autosaves.
        and model._meta.model_name not in ("transition", "slugredirect", "sharelink", "articleautosave")
    ]
    assert {m._meta.model_name for m in shown} >= {"highlight", "finding", "citation", "correction", "articleauthor"}
    for model in shown:
        uid = f"reex.pagecache.{model._meta.label_lower}"
        assert registered(post_save, f"{uid}.save"), model
        assert registered(post_delete, f"{uid}.delete"), model
