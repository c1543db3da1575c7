"""The moderation queue as an editor uses it."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from comments.models import Comment
from tests.factories import make_article, make_user


@pytest.fixture
def editor(db):
    user = make_user(is_staff=True, username="erin", first_name="Erin", last_name="Editor", email="erin@reex.example")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="comments"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def make_comment(article, **extra):
    n = Comment.objects.count()
    defaults = {"name": f"Reader {n}", "email": f"r{n}@example.org", "body": f"Comment number {n}."}
    defaults.update(extra)
    return Comment.objects.create(article=article, **defaults)


def changelist_ids(response):
    tree = lxml_html.fromstring(response.content)
    return [int(v) for v in tree.xpath('//input[@name="_selected_action"]/@value')]


@pytest.mark.django_db
def test_queue_lists_pending_first_then_newest(editor_client, article):
    old_pending = make_comment(article)
    approved = make_comment(article, status="approved")
    spam = make_comment(article, status="spam")
    new_pending = make_comment(article)
    response = editor_client.get(reverse("admin:comments_comment_changelist"))
    assert changelist_ids(response) == [new_pending.pk, old_pending.pk, spam.pk, approved.pk]


@pytest.mark.django_db
def test_queue_filters_and_search(editor_client, article):
    other = make_article(title="Lynas under the microscope")
    a = make_comment(article, body="About refining.")
    b = make_comment(other, body="About Lynas.", status="spam")
    url = reverse("admin:comments_comment_changelist")
    assert changelist_ids(editor_client.get(url, {"status__exact": "spam"})) == [b.pk]
    assert changelist_ids(editor_client.get(url, {"article__id__exact": article.pk})) == [a.pk]
    assert changelist_ids(editor_client.get(url, {"q": "refining"})) == [a.pk]
    assert changelist_ids(editor_client.get(url, {"q": b.email})) == [b.pk]


@pytest.mark.django_db
def test_changelist_queries_do_not_grow_with_rows(editor_client, article):
    url = reverse("admin:comments_comment_changelist")
    for _ in range(3):
        make_comment(article, moderated_by=make_user())
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url)
    for _ in range(20):
        make_comment(make_article(), moderated_by=make_user(), status="approved")
    with CaptureQueriesContext(connection) as many:
        editor_client.get(url)
    assert len(many) == len(few)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, status",
    [("approve_selected", "approved"), ("mark_spam_selected", "spam"), ("remove_selected", "removed")],
)
def test_bulk_actions_call_the_services(editor_client, editor, article, action, status):
    chosen = [make_comment(article), make_comment(article)]
    untouched = make_comment(article)
    response = editor_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in chosen]},
        follow=True,
    )
    assert response.status_code == 200
    assert sorted(Comment.objects.values_list("pk", "status", "moderated_by")) == sorted(
        [(c.pk, status, editor.pk) for c in chosen] + [(untouched.pk, "pending", None)]
    )


@pytest.mark.django_db
def test_status_change_in_the_form_is_logged(editor_client, editor, article):
    comment = make_comment(article)
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    response = editor_client.post(
        url, {"status": "approved", "name": comment.name, "email": comment.email, "url": "", "body": comment.body}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("approved", editor)


@pytest.mark.django_db
def test_pending_count_on_the_admin_index(editor_client, article):
    make_comment(article)
    make_comment(article)
    make_comment(article, status="approved")
    tree = lxml_html.fromstring(editor_client.get(reverse("admin:index")).content)
    (module,) = tree.xpath('//div[@id="pending-comments-module"]')
    assert "2 comments awaiting moderation" in module.text_content()


@pytest.mark.django_db
def test_staff_reply_from_the_admin_shows_with_a_badge(editor_client, editor, article, client):
    parent = make_comment(article, status="approved", name="Ada")
    reply_url = reverse("admin:comments_comment_reply", args=[parent.pk])
    assert "Reply to Ada" in editor_client.get(reply_url).content.decode()
    response = editor_client.post(reply_url, {"body": "Thanks for reading, Ada."})
    reply = Comment.objects.get(parent=parent)
    assert response["Location"] == reverse("admin:comments_comment_change", args=[reply.pk])
    assert (reply.status, reply.is_staff_reply, reply.name, reply.moderated_by) == (
        "approved",
        True,
        "Erin Editor",
        editor,
    )
    client.logout()
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    (item,) = page.xpath(f'//li[@id="comment-{reply.pk}"]')
    assert item.xpath('string(.//span[contains(@class, "comment-staff-badge")])') == "Staff"
    assert "comment-depth-1" in item.get("class")


@pytest.mark.django_db
def test_empty_staff_reply_is_refused(editor_client, article):
    parent = make_comment(article, status="approved")
    response = editor_client.post(reverse("admin:comments_comment_reply", args=[parent.pk]), {"body": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_moderation_words_are_editable_in_the_admin(editor_client):
    from comments.models import ModerationWord

    response = editor_client.post(
        reverse("admin:comments_moderationword_add"), {"word": "casino", "kind": "block", "note": "Spam wave"}
    )
    assert response.status_code == 302
    assert list(ModerationWord.objects.values_list("word", "kind")) == [("casino", "block")]
