"""The writing desk: live preview from unsaved form data, publish checklist, autosave without a revision."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, ArticleAutosave
from tests.articles.admin_helpers import article_post_data, existing_rows
from tests.factories import make_article, make_section, make_user

pytestmark = pytest.mark.django_db
S = Article.Status
XSS = '<script>alert("x")</script><img src=x onerror="alert(1)"> [click](javascript:alert(2))'


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor():
    return make_user(username="editor-desk", groups=["Editors"], is_staff=True)


def test_live_preview_renders_unsaved_text_as_the_public_page_and_sanitised(editor):
    article = make_article(title="Saved title", status=S.DRAFT, full_brief=True)
    data = article_post_data(article=article, inlines=existing_rows(article), title="Typed, not saved", intro=XSS)
    findings, initial = existing_rows(article)["findings"]
    data["findings-0-explanation"] = "Typed **finding** " + XSS
    response = logged_in(editor).post(reverse("admin:articles_article_live_preview", args=[article.pk]), data)
    assert response.status_code == 200
    payload = response.json()
    html = payload["html"]
    assert '<h1 class="article-title" id="article-title">Typed, not saved</h1>' in html or "Typed, not saved" in html
    assert "Typed <strong>finding</strong>" in html
    assert 'alert("x")' not in html and "onerror" not in html and "javascript:alert" not in html
    assert "Live preview of unsaved changes." in html
    article.refresh_from_db()
    assert article.title == "Saved title"  # nothing saved


def test_checklist_follows_the_publish_gate_live(editor):
    section = make_section(name="Policy")
    url = reverse("admin:articles_article_live_preview_new")
    empty = logged_in(editor).post(url, article_post_data()).json()["checklist"]
    assert empty == [
        {"item": "a title", "ok": False},
        {"item": "a standfirst", "ok": False},
        {"item": "a section", "ok": False},
        {"item": "at least one author", "ok": False},
    ]
    filled = article_post_data(title="T", standfirst="S.", section=str(section.pk))
    checklist = logged_in(editor).post(url, filled).json()["checklist"]
    assert [row["ok"] for row in checklist] == [True, True, True, False]


def test_a_writer_cannot_preview_or_autosave_anothers_article():
    writer = make_user(username="writer-desk", groups=["Writers"], is_staff=True)
    other = make_article(status=S.DRAFT)
    client = logged_in(writer)
    assert client.post(reverse("admin:articles_article_live_preview", args=[other.pk]), {}).status_code == 404
    assert client.post(reverse("admin:articles_article_autosave", args=[other.pk]), {"title": "x"}).status_code == 404
    assert ArticleAutosave.objects.count() == 0
    assert client.get(reverse("admin:articles_article_live_preview_new")).status_code == 405


def test_autosave_keeps_the_form_without_a_revision_or_a_new_version(editor):
    article = make_article(title="Before", status=S.DRAFT, full_brief=True)
    version, revisions = article.version, Version.objects.get_for_object(article).count()
    data = article_post_data(article=article, inlines=existing_rows(article), title="Typed after")
    client = logged_in(editor)
    for _ in range(3):
        assert client.post(reverse("admin:articles_article_autosave", args=[article.pk]), data).status_code == 200
    row = ArticleAutosave.objects.get()
    assert (row.article, row.user, row.data["title"], row.base_version) == (article, editor, ["Typed after"], version)
    assert "csrfmiddlewaretoken" not in row.data
    article.refresh_from_db()
    assert (article.title, article.version) == ("Before", version)
    assert Version.objects.get_for_object(article).count() == revisions

    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    recovered = page.context["desk"]["recovered"]
    assert recovered["data"]["title"] == ["Typed after"] and recovered["stale"] is False
    # Saving the form for real removes the autosave.
    assert client.post(reverse("admin:articles_article_change", args=[article.pk]), data).status_code == 302
    assert ArticleAutosave.objects.count() == 0


def test_restored_autosave_after_someone_elses_save_is_refused_as_a_conflict(editor):
    other = make_user(username="editor-other", groups=["Editors"], is_staff=True)
    article = make_article(title="Start", status=S.DRAFT, full_brief=True)
    mine = article_post_data(article=article, inlines=existing_rows(article), title="My autosaved title")
    client = logged_in(editor)
    client.post(reverse("admin:articles_article_autosave", args=[article.pk]), mine)
    theirs = article_post_data(article=article, inlines=existing_rows(article), title="Their saved title")
    assert logged_in(other).post(reverse("admin:articles_article_change", args=[article.pk]), theirs).status_code == 302
    recovered = client.get(reverse("admin:articles_article_change", args=[article.pk])).context["desk"]["recovered"]
    assert recovered["stale"] is True
    # What the page's Restore puts in the form, posted as is: refused, their save stands.
    restored = {k: v[0] if len(v) == 1 else v for k, v in recovered["data"].items()}
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), restored)
    assert response.status_code == 200
    assert "Someone else saved this article while you were editing it" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Their saved title"
    assert ArticleAutosave.objects.filter(user=editor).count() == 1  # still offered


def test_autosave_of_a_new_article_and_discard(editor):
    client = logged_in(editor)
    url = reverse("admin:articles_article_autosave_new")
    client.post(url, article_post_data(title="A new one"))
    assert ArticleAutosave.objects.get(article=None).data["title"] == ["A new one"]
    assert client.get(reverse("admin:articles_article_add")).context["desk"]["recovered"]["data"]["title"] == [
        "A new one"
    ]
    assert client.post(url, {"_discard": "1"}).json() == {"discarded": True}
    assert ArticleAutosave.objects.count() == 0


def test_focal_point_is_saved_from_the_form_validated_and_used_by_every_crop(editor):
    article = make_article(title="Focal", status=S.DRAFT, full_brief=True)
    url = reverse("admin:articles_article_change", args=[article.pk])
    client = logged_in(editor)
    bad = article_post_data(article=article, inlines=existing_rows(article), hero_focal_x="1.5", hero_focal_y="-1")
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 1.0." in response.content.decode()
    good = article_post_data(article=article, inlines=existing_rows(article), hero_focal_x="0.3", hero_focal_y="0.2")
    assert client.post(url, good).status_code == 302
    article.refresh_from_db()
    assert (article.hero_focal_x, article.hero_focal_y) == (0.3, 0.2)

    from articles.templatetags.articles_reader import hero_position

    assert hero_position(article) == "30.0% 20.0%"
    assert hero_position(Article(hero_focal_x=7, hero_focal_y=-2)) == "100.0% 0.0%"
