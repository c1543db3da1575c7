"""Revisions: every admin save is recorded with the inline parts; editors compare and restore."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Highlight, Limitation
from articles.services import article_publish, article_submit
from tests.articles.admin_helpers import article_post_data, existing_rows
from tests.factories import make_author, make_section, make_user

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def editor():
    return make_user(username="editor1", groups=["Editors"], is_staff=True)


@pytest.fixture
def client(editor):
    client = Client()
    client.force_login(editor)
    return client


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def create_via_admin(client):
    section, author = make_section(), make_author()
    data = article_post_data(
        title="First title",
        standfirst="First standfirst.",
        section=str(section.pk),
        intro="The *first* intro.",
        inlines={
            "bylines": [{"author": str(author.pk)}],
            "highlights": [{"text": "Highlight one"}, {"text": "Highlight two"}],
        },
    )
    assert client.post(reverse("admin:articles_article_add"), data).status_code == 302
    return Article.objects.get()


def edit_via_admin(client, article):
    rows = existing_rows(article)
    highlights, initial = rows["highlights"]
    highlights[1]["DELETE"] = "on"
    rows["limitations"] = ([{"label": "Added later", "text": "A new limitation."}], 0)
    data = article_post_data(article=article, inlines=rows, title="Second title", intro="The *second* intro.")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    return article


def test_every_admin_save_records_a_revision_with_its_parts(client):
    article = create_via_admin(client)
    edit_via_admin(client, article)
    versions = list(Version.objects.get_for_object(article).order_by("revision__date_created"))
    assert len(versions) == 2
    first_models = sorted(v.content_type.model for v in versions[0].revision.version_set.all())
    assert first_models == ["article", "articleauthor", "highlight", "highlight"]
    assert versions[0].revision.user.username == "editor1"
    second = sorted(v.content_type.model for v in versions[1].revision.version_set.all())
    assert second == ["article", "articleauthor", "highlight", "limitation"]


def test_history_lists_revisions_and_workflow(client, editor):
    article = create_via_admin(client)
    edit_via_admin(client, article)
    article_submit(article=article, by=editor, note="Ready")
    html = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert html.count('name="from"') == 2
    assert "Restore…" in html
    assert "Ready" in html and "In review" in html


def test_compare_shows_a_readable_diff(client):
    article = create_via_admin(client)
    edit_via_admin(client, article)
    old, new = Version.objects.get_for_object(article).order_by("revision__date_created")
    response = client.get(reverse("admin:articles_article_compare", args=[article.pk]), {"from": old.pk, "to": new.pk})
    html = response.content.decode().replace("&nbsp;", " ")
    assert response.status_code == 200
    assert "First" in html and "Second" in html and 'class="diff"' in html
    assert "Highlight two" in html  # removed
    assert "Added later" in html  # added
    assert "<script" not in html.split('class="diff"')[1].split("</table>")[0]


def test_restore_brings_back_the_inline_parts_and_keeps_the_workflow_state(client, editor):
    article = create_via_admin(client)
    first = Version.objects.get_for_object(article).get()
    article = edit_via_admin(client, article)
    article_submit(article=article, by=editor)
    article_publish(article=article, by=editor)
    article.refresh_from_db()
    published_at, version_before = article.published_at, article.version
    assert list(article.highlights.values_list("text", flat=True)) == ["Highlight one"]

    confirm = client.get(reverse("admin:articles_article_restore", args=[article.pk, first.pk]))
    assert "Restore this revision" in confirm.content.decode()
    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, first.pk]), follow=True)
    assert "Restored the version of" in response.content.decode()

    article.refresh_from_db()
    assert article.title == "First title"
    assert article.intro_html == "<p>The <em>first</em> intro.</p>"
    assert list(Highlight.objects.filter(article=article).values_list("text", flat=True)) == [
        "Highlight one",
        "Highlight two",
    ]
    assert not Limitation.objects.filter(article=article).exists()
    # The workflow and the lost-edit guard move only forward.
    assert (article.status, article.published_at) == (S.PUBLISHED, published_at)
    assert article.version == version_before + 1
    assert list(Article.objects.filter(search_vector="first")) == [article]
    latest = Version.objects.get_for_object(article).order_by("-revision__date_created").first()
    assert latest.revision.get_comment().startswith("Restored the version saved on")


def test_reversions_own_revert_form_is_redirected_to_ours(client):
    article = create_via_admin(client)
    version = Version.objects.get_for_object(article).get()
    response = client.get(reverse("admin:articles_article_revision", args=[article.pk, version.pk]))
    assert response["Location"] == reverse("admin:articles_article_restore", args=[article.pk, version.pk])
