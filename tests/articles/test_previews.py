"""Previews: staff see unpublished articles as readers will; share links for outside reviewers, each revocable."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Highlight, ShareLink
from articles.sharing import RETIRED_SIGNED_SALT, share_link_create, share_link_revoke, token_digest
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


def share(client, article, *, mode="pinned", days=7):
    """Make a link through the admin, as an editor does; returns (response, absolute link)."""
    response = client.post(
        reverse("admin:articles_article_share", args=[article.pk]), {"mode": mode, "lifetime_days": str(days)}
    )
    return response, response.context["link_url"]


def test_editor_creates_a_share_link_that_works_without_an_account(editor):
    article = make_article(title="For the reviewer", status=S.REVIEW, full_brief=True)
    client = logged_in(editor)
    share_url = reverse("admin:articles_article_share", args=[article.pk])
    assert "Create share link" in client.get(share_url).content.decode()
    response, link = share(client, article, mode="latest")
    assert link.startswith("http://testserver/preview/s/")
    row = ShareLink.objects.get()
    assert (row.article, row.created_by, row.revision, row.revoked_at) == (article, editor, None, None)
    assert timedelta(days=6, hours=23) < row.expires_at - timezone.now() <= timedelta(days=7)
    page = Client().get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "For the reviewer" in html
    assert "Latest version: this link always shows the text as last saved." in html
    assert_private(page)


def test_only_a_digest_of_the_token_is_stored(editor):
    article = make_article(status=S.DRAFT)
    link, token = share_link_create(article=article, by=editor, pinned=False)
    stored = ShareLink.objects.filter(pk=link.pk).values().get()
    assert token not in [str(value) for value in stored.values()]
    assert stored["token_digest"] == token_digest(token) and stored["token_hint"] == token[-6:]


def test_links_are_listed_on_the_articles_admin_page_with_who_when_and_expiry(editor):
    article = make_article(status=S.DRAFT)
    client = logged_in(editor)
    share(client, article, mode="pinned", days=3)
    share(client, article, mode="latest", days=14)
    pinned, latest = ShareLink.objects.order_by("id")
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert html.count('data-share-link="') == 2
    assert f"…{pinned.token_hint}" in html and f"…{latest.token_hint}" in html
    assert "Pinned: version of" in html and "Latest version" in html
    assert html.count("<td>editor1</td>") == 2
    assert timezone.localtime(pinned.expires_at).strftime("%-d %b %Y, %H:%M") in html
    assert timedelta(days=13, hours=23) < latest.expires_at - timezone.now() <= timedelta(days=14)


def test_a_lifetime_not_offered_is_refused_and_makes_no_link(editor):
    article = make_article(status=S.DRAFT)
    response = logged_in(editor).post(
        reverse("admin:articles_article_share", args=[article.pk]), {"mode": "pinned", "lifetime_days": "999"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ShareLink.objects.count() == 0


def test_revoked_link_is_404_at_once_and_other_links_still_work(editor):
    article = make_article(title="Cerium under review", status=S.DRAFT)
    client = logged_in(editor)
    _, first = share(client, article)
    _, second = share(client, article)
    link = ShareLink.objects.order_by("id").first()
    response = client.post(reverse("admin:articles_article_share_revoke", args=[article.pk, link.pk]), {"back": ""})
    assert response.status_code == 302
    revoked = Client().get(first)
    assert revoked.status_code == 404
    assert "This preview link has been withdrawn" in revoked.content.decode()
    assert "Cerium under review" not in revoked.content.decode()
    assert_private(revoked)
    assert Client().get(second).status_code == 200
    link.refresh_from_db()
    assert (link.state, link.revoked_by) == ("revoked", editor)


def test_revoking_twice_keeps_the_first_revocation(editor):
    article = make_article(status=S.DRAFT)
    link, _ = share_link_create(article=article, by=editor, pinned=False)
    first = share_link_revoke(link=link, by=editor).revoked_at
    other = make_user(username="editor2", groups=["Editors"], is_staff=True)
    again = share_link_revoke(link=link, by=other)
    assert (again.revoked_at, again.revoked_by) == (first, editor)


def test_writers_may_not_make_or_revoke_links_and_revoke_needs_post(editor, writer):
    article = make_article(status=S.DRAFT, created_by=writer)
    link, token = share_link_create(article=article, by=editor, pinned=False)
    client = logged_in(writer)
    assert client.get(reverse("admin:articles_article_share", args=[article.pk])).status_code == 403
    revoke = reverse("admin:articles_article_share_revoke", args=[article.pk, link.pk])
    assert client.post(revoke).status_code == 403
    assert logged_in(editor).get(revoke).status_code == 405
    assert Client().get(reverse("articles:preview_shared", args=[token])).status_code == 200
    assert "share-links" not in client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()


def test_pinned_link_shows_the_version_it_was_made_from_and_latest_shows_edits(editor):
    article = make_article(title="Old title on yttrium", status=S.REVIEW, full_brief=True)
    highlight = Highlight.objects.filter(article=article).order_by("position", "id").first()
    old_highlight = highlight.text
    _, pinned_token = share_link_create(article=article, by=editor, pinned=True)
    _, latest_token = share_link_create(article=article, by=editor, pinned=False)

    article.title = "New title on yttrium"
    article.intro = "A rewritten intro paragraph."
    article.save()
    highlight.text = "A highlight written after the link was made."
    highlight.save()

    pinned = Client().get(reverse("articles:preview_shared", args=[pinned_token])).content.decode()
    assert "Old title on yttrium" in pinned and old_highlight in pinned
    assert "New title on yttrium" not in pinned
    assert "A highlight written after the link was made." not in pinned
    assert "A rewritten intro paragraph." not in pinned
    assert "Pinned version: the text as saved on" in pinned
    latest = Client().get(reverse("articles:preview_shared", args=[latest_token])).content.decode()
    assert "New title on yttrium" in latest and "A highlight written after the link was made." in latest
    assert "Old title on yttrium" not in latest


def test_pinned_version_is_sanitised_as_the_public_page(editor):
    article = make_article(status=S.DRAFT, intro='Hello <script>alert("x")</script> [a](javascript:alert(1))')
    _, token = share_link_create(article=article, by=editor, pinned=True)
    html = Client().get(reverse("articles:preview_shared", args=[token])).content.decode()
    assert 'alert("x")</script>' not in html and "javascript:alert" not in html
    assert "Hello" in html


def test_pinning_twice_without_edits_reuses_the_revision(editor):
    article = make_article(status=S.DRAFT)
    first, _ = share_link_create(article=article, by=editor, pinned=True)
    second, _ = share_link_create(article=article, by=editor, pinned=True)
    assert first.revision_id == second.revision_id is not None


def test_tampered_or_unknown_token_is_a_clear_404(editor):
    article = make_article(status=S.DRAFT)
    _, token = share_link_create(article=article, by=editor, pinned=False)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", token + "x"):
        response = Client().get(reverse("articles:preview_shared", args=[bad]))
        assert response.status_code == 404
        assert "This preview link is not valid" in response.content.decode()
        assert_private(response)


def test_expired_link_is_a_clear_410(editor):
    article = make_article(status=S.DRAFT)
    link, token = share_link_create(article=article, by=editor, pinned=False)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(reverse("articles:preview_shared", args=[token]))
    assert response.status_code == 410
    assert "This preview link has expired" in response.content.decode()
    assert_private(response)


def test_default_lifetime_is_configurable(settings, editor):
    settings.PREVIEW_LINK_MAX_AGE = timedelta(days=10)
    link, _ = share_link_create(article=make_article(status=S.DRAFT), by=editor, pinned=False)
    assert timedelta(days=9, hours=23) < link.expires_at - timezone.now() <= timedelta(days=10)


def test_old_signed_links_are_retired_with_a_clear_410():
    article = make_article(status=S.DRAFT)
    old = signing.TimestampSigner(salt=RETIRED_SIGNED_SALT).sign(str(article.pk))
    response = Client().get(reverse("articles:preview_shared", args=[old]))
    assert response.status_code == 410
    assert "This preview link is no longer in use" in response.content.decode()
    assert_private(response)


def test_link_to_a_deleted_article_is_404(editor):
    article = make_article(status=S.DRAFT)
    _, token = share_link_create(article=article, by=editor, pinned=True)
    article.delete()
    assert Client().get(reverse("articles:preview_shared", args=[token])).status_code == 404


def test_latest_link_to_a_published_article_goes_to_the_real_page_pinned_stays(editor):
    article = make_article(title="Out now")
    _, latest = share_link_create(article=article, by=editor, pinned=False)
    _, pinned = share_link_create(article=article, by=editor, pinned=True)
    response = Client().get(reverse("articles:preview_shared", args=[latest]))
    assert (response.status_code, response["Location"]) == (302, article.get_absolute_url())
    pinned_page = Client().get(reverse("articles:preview_shared", args=[pinned]))
    assert pinned_page.status_code == 200 and "Out now" in pinned_page.content.decode()
