"""Previews: staff see unpublished articles as readers will; signed share links for outside reviewers."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.previews import SHARE_SALT, make_share_token
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db
S = Article.Status


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_private(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= cache_control
    assert "noindex" in response["X-Robots-Tag"]


@pytest.fixture
def editor():
    return make_user(username="editor1", groups=["Editors"], is_staff=True)


@pytest.fixture
def writer():
    return make_user(username="writer1", groups=["Writers"], is_staff=True)


def test_staff_preview_of_a_draft_looks_like_the_page_and_is_private(editor):
    article = make_article(title="Secret draft on cerium", status=S.DRAFT, full_brief=True)
    response = logged_in(editor).get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret draft on cerium" in html
    assert "Why Investors Should Care" in html
    assert '<meta name="robots" content="noindex' in html
    assert_private(response)


def test_preview_needs_a_staff_login(writer):
    article = make_article(status=S.DRAFT)
    response = Client().get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_writer_previews_own_article_but_not_anothers(writer):
    own = make_article(status=S.DRAFT, created_by=writer)
    other = make_article(status=S.DRAFT)
    client = logged_in(writer)
    assert client.get(reverse("articles:preview", args=[own.pk])).status_code == 200
    assert client.get(reverse("articles:preview", args=[other.pk])).status_code == 404


def test_scheduled_article_is_404_for_readers_but_previewable(editor):
    article = make_article(published_at=timezone.now() + timedelta(days=1))
    assert Client().get(article.get_absolute_url()).status_code == 404
    assert logged_in(editor).get(reverse("articles:preview", args=[article.pk])).status_code == 200


def test_editor_creates_a_share_link_that_works_without_an_account(editor):
    article = make_article(title="For the reviewer", status=S.REVIEW, full_brief=True)
    client = logged_in(editor)
    share_url = reverse("admin:articles_article_share", args=[article.pk])
    assert "Create share link" in client.get(share_url).content.decode()
    response = client.post(share_url)
    link = response.context["link"]
    assert link.startswith("http://testserver/preview/s/")
    assert response.context["expires"] - timezone.now() > timedelta(days=6, hours=23)
    reviewer = Client()
    page = reviewer.get(link)
    assert page.status_code == 200
    assert "For the reviewer" in page.content.decode()
    assert_private(page)


def test_tampered_link_is_a_clear_404(editor):
    article = make_article(status=S.DRAFT)
    token = make_share_token(article)
    other = make_article(status=S.DRAFT)
    forged = token.replace(f"{article.pk}:", f"{other.pk}:", 1)
    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
        response = Client().get(reverse("articles:preview_shared", args=[bad]))
        assert response.status_code == 404
        assert "This preview link is not valid" in response.content.decode()
        assert_private(response)


class EightDaysAgoSigner(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)


def test_expired_link_is_a_clear_410(editor):
    article = make_article(status=S.DRAFT)
    token = EightDaysAgoSigner(salt=SHARE_SALT).sign(str(article.pk))
    response = Client().get(reverse("articles:preview_shared", args=[token]))
    assert response.status_code == 410
    assert "This preview link has expired" in response.content.decode()
    assert_private(response)


def test_link_six_days_old_still_works(editor):
    class SixDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 6 * 24 * 3600)

    article = make_article(status=S.DRAFT)
    token = SixDaysAgo(salt=SHARE_SALT).sign(str(article.pk))
    assert Client().get(reverse("articles:preview_shared", args=[token])).status_code == 200


def test_link_expiry_is_configurable(settings):
    settings.PREVIEW_LINK_MAX_AGE = timedelta(days=10)
    article = make_article(status=S.DRAFT)
    token = EightDaysAgoSigner(salt=SHARE_SALT).sign(str(article.pk))
    assert Client().get(reverse("articles:preview_shared", args=[token])).status_code == 200


def test_link_to_a_deleted_article_is_404():
    article = make_article(status=S.DRAFT)
    token = make_share_token(article)
    article.delete()
    assert Client().get(reverse("articles:preview_shared", args=[token])).status_code == 404


def test_link_to_a_published_article_goes_to_the_real_page():
    article = make_article()
    response = Client().get(reverse("articles:preview_shared", args=[make_share_token(article)]))
    assert (response.status_code, response["Location"]) == (302, article.get_absolute_url())
