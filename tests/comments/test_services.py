"""Moderation services and notifications, against PostgreSQL and a real SMTP server."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services, tasks
from comments.models import Comment
from tests.comments.conftest import post_comment, trust_directly
from tests.factories import make_user


def pending(article, **extra):
    defaults = {"name": "Ada", "email": "ada@example.org", "body": "Pending words."}
    defaults.update(extra)
    return Comment.objects.create(article=article, **defaults)


def moderator(**extra):
    user = make_user(is_staff=True, **extra)
    user.user_permissions.add(Permission.objects.get(codename="change_comment"))
    return user


@pytest.mark.django_db
def test_approve_records_who_and_when_and_is_idempotent(article):
    editor, other = make_user(is_staff=True), make_user(is_staff=True)
    comment = pending(article)
    services.comment_approve(comment=comment, by=editor)
    first_at = comment.moderated_at
    services.comment_approve(comment=comment, by=other)
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by, comment.moderated_at) == ("approved", editor, first_at)


@pytest.mark.django_db
def test_spam_and_remove_keep_the_comment(article):
    editor = make_user(is_staff=True)
    a, b = pending(article), pending(article, body="Other.")
    services.comment_mark_spam(comment=a, by=editor)
    services.comment_remove(comment=b, by=editor)
    assert sorted(Comment.objects.values_list("status", "moderated_by")) == [
        ("removed", editor.pk),
        ("spam", editor.pk),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_approve_once_and_notify_once(article, smtp_server):
    parent = Comment.objects.create(
        article=article, name="Ada", email="ada@example.org", body="Top.", status="approved", notify_replies=True
    )
    reply = pending(article, name="Ben", email="ben@example.org", parent=parent, body="A reply.")
    editors = [make_user(is_staff=True) for _ in range(8)]
    barrier = threading.Barrier(len(editors))

    def approve(editor):
        try:
            barrier.wait()
            # The admin enqueues the notice after every approval; only one email may result.
            tasks.reply_notice_enqueue(services.comment_approve(comment=Comment.objects.get(pk=reply.pk), by=editor))
        finally:
            connection.close()

    with ThreadPoolExecutor(len(editors)) as pool:
        list(pool.map(approve, editors))
    reply.refresh_from_db()
    assert reply.status == "approved"
    assert reply.moderated_by in editors
    assert smtp_server.recipients() == ["ada@example.org"]


@pytest.mark.django_db
def test_new_pending_comment_emails_moderators_over_smtp(
    client, article, smtp_server, settings, django_capture_on_commit_callbacks
):
    mod = moderator(email="mod@example.org")
    make_user(is_staff=True, email="staff-without-permission@example.org")
    make_user(email="reader@example.org")
    make_user(is_staff=True, is_superuser=True, email="boss@example.org")
    moderator(email="gone@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article, name="Ada\u00a0Reader", body="Please moderate me.")
    (message, confirmation) = smtp_server.messages
    assert sorted(message["To"].split(", ")) == ["boss@example.org", mod.email]
    assert (confirmation["To"], confirmation["Subject"].startswith("Confirm it’s you")) == ("ada@example.org", True)
    assert message["Subject"] == "1 new comment awaiting moderation"
    text = message.get_body(("plain",)).get_content()
    assert "Please moderate me." in text
    assert f"{settings.SITE_URL}/admin/comments/comment/" in text
    assert "ada@example.org" not in message.as_string()  # commenter emails stay in the admin
    assert Comment.objects.get().moderators_notified_at is not None


@pytest.mark.django_db
def test_approved_and_spam_comments_do_not_email_moderators(
    client, article, smtp_server, django_capture_on_commit_callbacks
):
    moderator(email="mod@example.org")
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_comment(client, article, body="Auto-approved.")
        post_comment(client, article, body="Bot.", homepage="x", email="bot@example.org")
    assert Comment.objects.get(body="Auto-approved.").status == "approved"
    assert len(callbacks) == 0  # a top-level approved comment notifies nobody; spam neither
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_moderator_emails_are_batched(article, smtp_server):
    moderator(email="mod@example.org")
    for n in range(5):
        pending(article, email=f"r{n}@example.org", body=f"Comment {n}")
    assert services.moderators_notify() == 5
    assert services.moderators_notify() == 0  # nothing is reported twice
    (message,) = smtp_server.messages
    assert message["Subject"] == "5 new comments awaiting moderation"
    text = message.get_body(("plain",)).get_content()
    assert [f"Comment {n}" in text for n in range(5)] == [True] * 5


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_comments_queues_one_deferred_task(article, settings, smtp_server):
    """With the real database queue, many comments in one window share one email."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    settings.COMMENTS_NOTIFY_BATCH_SECONDS = 300
    moderator(email="mod@example.org")
    for n in range(6):
        post_comment(Client(), article, email=f"r{n}@example.org", remote_addr=f"203.0.113.{n}", body=f"Burst {n}")
    (task,) = DBTaskResult.objects.filter(task_path="comments.tasks.notify_moderators")
    assert task.run_after is not None
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() - timedelta(seconds=1))  # the window passed
    call_command("db_worker", "--batch", "--queue-name", "email", "--no-startup-delay", verbosity=0)
    (message,) = [m for m in smtp_server.messages if m["To"] == "mod@example.org"]
    assert message["Subject"] == "6 new comments awaiting moderation"


@pytest.mark.django_db
def test_reply_notification_goes_to_opted_in_parent_with_working_unsubscribe(
    client, article, smtp_server, django_capture_on_commit_callbacks, settings
):
    editor = make_user(is_staff=True, first_name="Erin", last_name="Editor", email="erin@reex.example")
    parent = Comment.objects.create(
        article=article, name="Ada", email="ada@example.org", body="Top.", status="approved", notify_replies=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reply_notice_enqueue(services.comment_reply_as_staff(parent=parent, by=editor, body="Thanks, Ada."))
    (message,) = smtp_server.messages
    assert smtp_server.recipients() == ["ada@example.org"]
    assert message["Subject"] == f"New reply to your comment on “{article.title}”"
    unsubscribe_url = message["List-Unsubscribe"].strip("<>")
    text = message.get_body(("plain",)).get_content()
    assert "Erin Editor (Rare Earth Exchanges staff) replied" in text
    assert unsubscribe_url in text
    assert f"{settings.SITE_URL}/comments/you/" in text  # trust can be seen and withdrawn from here
    path = unsubscribe_url.removeprefix(settings.SITE_URL)

    confirm = client.get(path)
    assert confirm.status_code == 200 and "Unsubscribe from reply notifications" in confirm.content.decode()
    parent.refresh_from_db()
    assert parent.notify_replies is True  # a GET (a link scanner) changes nothing
    done = Client(enforce_csrf_checks=True).post(path)  # one-click from a mail client: no CSRF token
    assert "You will not receive any more emails" in done.content.decode()
    parent.refresh_from_db()
    assert parent.notify_replies is False

    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reply_notice_enqueue(services.comment_reply_as_staff(parent=parent, by=editor, body="Second reply."))
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_no_reply_notification_without_opt_in_or_to_oneself(article, smtp_server, django_capture_on_commit_callbacks):
    editor = make_user(is_staff=True)
    quiet = Comment.objects.create(article=article, name="Q", email="q@example.org", body="Quiet.", status="approved")
    own = Comment.objects.create(
        article=article, name="O", email="o@example.org", body="Own.", status="approved", notify_replies=True
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.reply_notice_enqueue(services.comment_reply_as_staff(parent=quiet, by=editor, body="Hi Q."))
        reply = pending(article, email="O@example.org", parent=own, body="Replying to myself.")
        tasks.reply_notice_enqueue(services.comment_approve(comment=reply, by=editor))
    assert len(callbacks) == 2
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_pending_reply_notifies_only_once_approved(client, article, smtp_server, django_capture_on_commit_callbacks):
    editor = make_user(is_staff=True)
    parent = Comment.objects.create(
        article=article, name="Ada", email="ada@example.org", body="Top.", status="approved", notify_replies=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article, email="ben@example.org", parent=str(parent.pk), body="Reply from Ben.")
    # No moderator has an email here; Ben gets his "confirm it's you" link, Ada hears nothing yet.
    assert smtp_server.recipients() == ["ben@example.org"]
    reply = Comment.objects.get(body="Reply from Ben.")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reply_notice_enqueue(services.comment_approve(comment=reply, by=editor))
    assert smtp_server.recipients() == ["ben@example.org", "ada@example.org"]


@pytest.mark.django_db
def test_bad_unsubscribe_token_is_a_clear_400(client):
    response = client.get(reverse("comments:unsubscribe", args=["forged-token"]))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in response.content.decode()
