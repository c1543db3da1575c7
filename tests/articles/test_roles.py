"""What each role may do in the admin: Writers (own drafts, submit) and Editors (everything)."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.articles.admin_helpers import article_post_data, existing_rows
from tests.factories import make_article, make_section, make_user

pytestmark = pytest.mark.django_db
S = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def writer():
    return make_user(username="writer1", groups=["Writers"], is_staff=True)


@pytest.fixture
def other_writer():
    return make_user(username="writer2", groups=["Writers"], is_staff=True)


@pytest.fixture
def editor():
    return make_user(username="editor1", groups=["Editors"], is_staff=True)


# --- Writers ----------------------------------------------------------------------------------


def test_writer_creates_a_draft_that_is_theirs(writer):
    client = logged_in(writer)
    response = client.post(reverse("admin:articles_article_add"), article_post_data(title="My first brief"))
    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.created_by, article.status) == (writer, S.DRAFT)


def test_writer_sees_only_their_own_articles(writer, other_writer, editor):
    mine = make_article(title="Mine", status=S.DRAFT, created_by=writer)
    make_article(title="Theirs", status=S.DRAFT, created_by=other_writer)
    make_article(title="Editor's", created_by=editor)
    response = logged_in(writer).get(CHANGELIST)
    assert [a.title for a in response.context["cl"].result_list] == [mine.title]


def test_writer_edits_own_draft(writer):
    article = make_article(title="Draft title", status=S.DRAFT, created_by=writer, full_brief=True)
    client = logged_in(writer)
    data = article_post_data(article=article, inlines=existing_rows(article), title="Better title")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title == "Better title"


def test_writer_cannot_open_or_change_another_writers_draft(writer, other_writer):
    theirs = make_article(title="Not yours", status=S.DRAFT, created_by=other_writer)
    client = logged_in(writer)
    response = client.get(change_url(theirs))
    assert response.status_code == 302  # the admin says it does not exist and goes back to the index
    data = article_post_data(article=theirs, inlines=existing_rows(theirs), title="Hijacked")
    client.post(change_url(theirs), data)
    theirs.refresh_from_db()
    assert theirs.title == "Not yours"


def test_writer_cannot_edit_own_article_once_submitted(writer):
    article = make_article(title="Submitted", status=S.REVIEW, created_by=writer, full_brief=True)
    client = logged_in(writer)
    response = client.get(change_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title"' not in html  # shown read-only
    assert 'name="_save"' not in html
    data = article_post_data(article=article, inlines=existing_rows(article), title="Sneaky edit")
    assert client.post(change_url(article), data).status_code == 403
    article.refresh_from_db()
    assert article.title == "Submitted"


def test_writer_form_has_no_publication_or_featured_fields(writer):
    html = logged_in(writer).get(reverse("admin:articles_article_add")).content.decode()
    assert 'name="title"' in html
    assert 'name="published_at_0"' not in html
    assert 'name="featured"' not in html


def test_writer_gets_submit_but_not_publish_actions(writer):
    make_article(status=S.DRAFT, created_by=writer)
    actions = [name for name, _ in logged_in(writer).get(CHANGELIST).context["action_form"].fields["action"].choices]
    assert "submit_selected" in actions
    assert "publish_selected" not in actions and "unpublish_selected" not in actions


def test_writer_submits_own_draft_but_publishing_is_refused(writer):
    article = make_article(status=S.DRAFT, created_by=writer)
    client = logged_in(writer)
    html = client.get(change_url(article)).content.decode()
    assert reverse("admin:articles_article_workflow", args=[article.pk, "submit"]) in html
    assert reverse("admin:articles_article_workflow", args=[article.pk, "publish"]) not in html
    client.post(reverse("admin:articles_article_workflow", args=[article.pk, "submit"]), {"note": ""})
    article.refresh_from_db()
    assert article.status == S.REVIEW
    publish = reverse("admin:articles_article_workflow", args=[article.pk, "publish"])
    assert client.get(publish).status_code == 403
    assert client.post(publish, {"note": ""}).status_code == 403
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_workflow_pages_a_role_may_not_use_answer_403_and_allowed_ones_200(writer):
    editor = make_user(username="editor-403", groups=["Editors"], is_staff=True)
    own_draft = make_article(status=S.DRAFT, created_by=writer)
    live = make_article(status=S.PUBLISHED, created_by=writer)
    writer_client, editor_client = logged_in(writer), logged_in(editor)

    def status(client, article, move):
        return client.get(reverse("admin:articles_article_workflow", args=[article.pk, move])).status_code

    assert [status(writer_client, own_draft, m) for m in ("submit", "publish", "unpublish", "return_to_draft")] == [
        200,
        403,
        403,
        403,
    ]
    assert [status(editor_client, live, m) for m in ("submit", "publish", "unpublish", "return_to_draft")] == [
        403,
        403,
        200,
        403,
    ]
    assert status(editor_client, live, "nonsense") == 404


def test_writer_publish_action_posted_anyway_does_nothing(writer):
    article = make_article(status=S.REVIEW, created_by=writer)
    logged_in(writer).post(CHANGELIST, {"action": "publish_selected", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_writer_cannot_delete_share_compare_or_restore(writer):
    article = make_article(status=S.DRAFT, created_by=writer)
    client = logged_in(writer)
    assert client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:articles_article_share", args=[article.pk])).status_code == 403
    assert client.get(reverse("admin:articles_article_compare", args=[article.pk])).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_writer_cannot_manage_sections_but_can_add_authors_and_look_them_up(writer):
    client = logged_in(writer)
    assert client.get(reverse("admin:articles_section_add")).status_code == 403
    # A new co-author is created from the byline row (issue 16); changing authors stays with editors.
    assert client.get(reverse("admin:articles_author_add")).status_code == 200
    section = make_section(name="Markets")
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "Mark", "app_label": "articles", "model_name": "article", "field_name": "section"},
    )
    assert response.json()["results"] == [{"id": str(section.pk), "text": "Markets"}]


def test_writer_cannot_moderate_comments(writer, editor):
    assert not writer.has_perm("comments.change_comment")
    assert logged_in(writer).get(reverse("admin:comments_comment_changelist")).status_code == 403
    assert logged_in(editor).get(reverse("admin:comments_comment_changelist")).status_code == 200


# --- Editors ----------------------------------------------------------------------------------


def test_editor_sees_and_edits_everyones_articles(writer, editor):
    article = make_article(title="By a writer", status=S.REVIEW, created_by=writer, full_brief=True)
    client = logged_in(editor)
    titles = [a.title for a in client.get(CHANGELIST).context["cl"].result_list]
    assert titles == ["By a writer"]
    data = article_post_data(article=article, inlines=existing_rows(article), title="Edited by the editor")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title == "Edited by the editor"


def test_editor_has_publish_actions_and_manages_sections(editor):
    client = logged_in(editor)
    make_article()
    actions = [name for name, _ in client.get(CHANGELIST).context["action_form"].fields["action"].choices]
    assert {"submit_selected", "publish_selected", "unpublish_selected"} <= set(actions)
    response = client.post(
        reverse("admin:articles_section_add"), {"name": "Policy", "slug": "policy", "description": "", "order": "3"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("admin:articles_author_add"), {"name": "Ann Smith", "slug": "ann-smith", "bio": "", "user": ""}
    )
    assert response.status_code == 302


def test_anonymous_and_non_staff_get_the_login_page(writer):
    assert Client().get(CHANGELIST).status_code == 302
    outsider = make_user(username="reader")
    response = logged_in(outsider).get(CHANGELIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_roles_survive_a_database_flush():
    """A flush (TransactionTestCase, manage.py flush) empties the groups; post_migrate puts them back."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="publish_article").exists()
    # Grants of apps after articles in INSTALLED_APPS come back too (they exist only once their own
    # post_migrate has run).
    moderation = set(editors.permissions.filter(content_type__app_label="comments").values_list("codename", flat=True))
    assert {"view_comment", "change_comment", "delete_comment"} <= moderation
    assert Group.objects.filter(name="Writers").exists()


def test_writer_sees_only_the_workflow_log_of_their_own_articles(writer, other_writer):
    from articles.models import Transition

    mine = make_article(title="Mine", status=S.REVIEW, created_by=writer)
    theirs = make_article(title="Theirs", status=S.REVIEW, created_by=other_writer)
    for article, user in ((mine, writer), (theirs, other_writer)):
        Transition.objects.create(article=article, from_status=S.DRAFT, to_status=S.REVIEW, by=user)
    response = logged_in(writer).get(reverse("admin:articles_transition_changelist"))
    assert [t.article.title for t in response.context["cl"].result_list] == ["Mine"]
