"""Akismet against a local fake of its API: each answer, an outage, and editors' feedback."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from comments.models import Comment
from tests.comments.conftest import post_comment, trust_directly
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def posted(client, article, body, **extra):
    response = post_comment(client, article, body=body, **extra)
    assert response.status_code == 302
    return Comment.objects.get(body=body)


def test_off_without_a_key(client, article, fake_akismet, settings):
    settings.AKISMET_API_KEY = ""
    comment = posted(client, article, "No key.")
    assert (comment.status, comment.akismet, fake_akismet.requests) == ("pending", "", [])


def test_false_keeps_the_local_verdict_and_sends_what_akismet_needs(client, article, fake_akismet, settings):
    comment = posted(client, article, "A fair question about dysprosium.", name="Zoë Ångström")
    assert (comment.status, comment.akismet, comment.moderation_reason) == ("pending", "ham", "")
    (check,) = fake_akismet.calls("comment-check")
    assert check == {
        "api_key": fake_akismet.key,
        "blog": settings.SITE_URL,
        "user_ip": "203.0.113.10",
        "comment_type": "comment",
        "comment_author": "Zoë Ångström",
        "comment_author_email": "ada@example.org",
        "comment_content": "A fair question about dysprosium.",
        "comment_date_gmt": check["comment_date_gmt"],
        "permalink": f"{settings.SITE_URL}{article.get_absolute_url()}",
        "blog_lang": "en",
        "blog_charset": "UTF-8",
    }


def test_false_lets_a_trusted_commenter_publish(client, article, fake_akismet):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    assert posted(client, article, "Trusted words.").status == "approved"


def test_true_is_spam_even_for_a_trusted_commenter(client, article, fake_akismet):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    fake_akismet.answer = "true"
    comment = posted(client, article, "Buy now.")
    assert (comment.status, comment.akismet, comment.moderation_reason) == ("spam", "spam", "Akismet: spam.")


def test_discard_is_kept_as_spam(client, article, fake_akismet):
    fake_akismet.answer = "discard"
    comment = posted(client, article, "Blatant.")
    assert (comment.status, comment.akismet, comment.moderation_reason) == (
        "spam",
        "discard",
        "Akismet: blatant spam (discard).",
    )


def test_local_spam_is_not_sent_to_akismet(client, article, fake_akismet):
    comment = posted(client, article, "Bot.", homepage="filled")
    assert (comment.status, comment.akismet, fake_akismet.requests) == ("spam", "", [])


@pytest.mark.parametrize("failure", ["error", "slow", "invalid-key"])
def test_an_outage_holds_the_comment_and_a_recheck_decides(client, article, fake_akismet, settings, failure):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    if failure == "invalid-key":
        settings.AKISMET_API_KEY = "wrong-key"
    else:
        fake_akismet.answer = failure
    comment = posted(client, article, "During the outage.")
    assert (comment.status, comment.akismet, comment.moderation_reason) == (
        "pending",
        "unavailable",
        "Akismet unavailable: held, will recheck.",
    )
    call_command("recheck_akismet", verbosity=0)  # still down: nothing changes
    comment.refresh_from_db()
    assert (comment.status, comment.akismet) == ("pending", "unavailable")

    settings.AKISMET_API_KEY = fake_akismet.key
    fake_akismet.answer = "true"
    call_command("recheck_akismet", verbosity=0)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet, comment.moderation_reason) == (
        "spam",
        "spam",
        "Akismet (recheck): spam.",
    )


def test_recheck_saying_ham_leaves_it_for_an_editor_and_skips_decided_comments(client, article, fake_akismet):
    fake_akismet.answer = "error"
    held = posted(client, article, "Held one.")
    decided = posted(client, article, "Decided one.", email="ben@example.org")
    Comment.objects.filter(pk=decided.pk).update(status="approved")
    fake_akismet.answer = "false"
    call_command("recheck_akismet", verbosity=0)
    held.refresh_from_db()
    decided.refresh_from_db()
    assert (held.status, held.akismet) == ("pending", "ham")
    assert (decided.status, decided.akismet) == ("approved", "unavailable")


def test_editor_decisions_are_sent_back(
    admin_client, client, article, fake_akismet, django_capture_on_commit_callbacks
):
    fake_akismet.answer = "true"
    caught = posted(client, article, "Caught by Akismet.")
    fake_akismet.answer = "false"
    missed = posted(client, article, "Missed by Akismet.", email="ben@example.org")
    changelist = reverse("admin:comments_comment_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "approve_selected", "_selected_action": [caught.pk]})
        admin_client.post(changelist, {"action": "mark_spam_selected", "_selected_action": [missed.pk]})
    assert [c["comment_content"] for c in fake_akismet.calls("submit-ham")] == ["Caught by Akismet."]
    assert [c["comment_content"] for c in fake_akismet.calls("submit-spam")] == ["Missed by Akismet."]
    assert list(Comment.objects.order_by("id").values_list("status", "akismet")) == [
        ("approved", "ham"),
        ("spam", "spam"),
    ]
    # The same decision again sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "mark_spam_selected", "_selected_action": [missed.pk]})
    assert len(fake_akismet.calls("submit-spam")) == 1


def test_approving_a_comment_akismet_passed_sends_no_feedback(admin_client, client, article, fake_akismet):
    comment = posted(client, article, "Plain held comment.")
    make_user(is_staff=True)
    admin_client.post(
        reverse("admin:comments_comment_changelist"), {"action": "approve_selected", "_selected_action": [comment.pk]}
    )
    assert (fake_akismet.calls("submit-ham"), fake_akismet.calls("submit-spam")) == ([], [])
