"""Trusted commenters must prove they control the email, in this browser, under the same name."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments import trust
from comments.models import Comment, CommenterTrust
from tests.comments.conftest import become_trusted, confirm_link_from, post_comment

pytestmark = pytest.mark.django_db


def status_of(body):
    return Comment.objects.get(body=body).status


def test_a_held_first_comment_sends_a_one_time_confirmation_link(
    client, article, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article, name="Zoë Ångström", email="Zoe@Example.org", body="First.")
    (message,) = [m for m in mail.outbox if m.to == ["Zoe@Example.org"]]
    assert message.subject == f"Confirm it’s you, and your comments on {settings.SITE_NAME} appear at once"
    assert "/comments/you/" in message.body  # the commenter's settings, to see and withdraw trust
    link = confirm_link_from(message)
    page = client.get(link)
    assert page.status_code == 200
    assert trust.PROOF_COOKIE not in page.cookies  # a GET (a link scanner) confirms nothing
    assert CommenterTrust.objects.get().confirmed_at is None
    response = client.post(link)
    assert (response.status_code, trust.PROOF_COOKIE in response.cookies) == (200, True)
    record = CommenterTrust.objects.get()
    assert (record.email, record.name, record.is_active) == ("zoe@example.org", "Zoë Ångström", True)
    again = client.post(link)  # one-time
    assert (again.status_code, trust.PROOF_COOKIE in again.cookies) == (400, False)
    assert "already used" in again.content.decode()


def test_proven_name_and_email_from_the_proven_browser_is_published(
    client, article, django_capture_on_commit_callbacks
):
    become_trusted(client, article, capture=django_capture_on_commit_callbacks)
    post_comment(client, article, name="ada reader", email="ADA@example.org", body="Second thoughts.")
    comment = Comment.objects.get(body="Second thoughts.")
    assert (comment.status, comment.moderation_reason) == (
        "approved",
        "Auto-approved: a trusted commenter (name, email and browser proven).",
    )


def test_trusted_email_with_a_different_name_is_held(client, article, django_capture_on_commit_callbacks):
    become_trusted(client, article, capture=django_capture_on_commit_callbacks)
    post_comment(client, article, name="Someone Else", email="ada@example.org", body="Impostor words.")
    assert status_of("Impostor words.") == "pending"


def test_same_name_and_email_without_proof_in_a_new_browser_is_held(
    client, article, django_capture_on_commit_callbacks
):
    become_trusted(client, article, capture=django_capture_on_commit_callbacks)
    new_browser = Client()
    post_comment(new_browser, article, name="Ada Reader", email="ada@example.org", body="From elsewhere.")
    assert status_of("From elsewhere.") == "pending"


def test_a_proof_cookie_for_another_email_proves_nothing(client, article, django_capture_on_commit_callbacks):
    become_trusted(client, article, capture=django_capture_on_commit_callbacks)
    Comment.objects.create(article=article, name="Ben", email="ben@example.org", body="Old.", status="approved")
    post_comment(client, article, name="Ben", email="ben@example.org", body="As Ben.")
    assert status_of("As Ben.") == "pending"


def test_withdrawn_trust_holds_again(client, article, django_capture_on_commit_callbacks):
    message = become_trusted(client, article, capture=django_capture_on_commit_callbacks)
    (settings_url,) = re.findall(r"https?://\S+/comments/you/\S+/", message.body)
    settings_path = urlsplit(settings_url).path
    page = client.get(settings_path)
    assert "Withdraw trust" in page.content.decode()
    response = client.post(settings_path)
    assert response.status_code == 200
    assert "wait for an editor again" in response.content.decode()
    assert CommenterTrust.objects.get().is_active is False
    post_comment(client, article, name="Ada Reader", email="ada@example.org", body="After withdrawing.")
    assert status_of("After withdrawing.") == "pending"


def test_links_from_a_trusted_commenter_still_follow_the_link_rule(client, article, django_capture_on_commit_callbacks):
    become_trusted(client, article, capture=django_capture_on_commit_callbacks)
    post_comment(client, article, body="See https://a.example/x and www.b.example for more.")
    held = Comment.objects.get(body__startswith="See")
    assert (held.status, held.moderation_reason) == ("pending", "Held: contains 2 links.")


def test_at_most_one_confirmation_email_per_interval(client, article, django_capture_on_commit_callbacks, settings):
    settings.COMMENTS_TRUST_RESEND_SECONDS = 3600
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article, body="One.")
        post_comment(client, article, body="Two.", remote_addr="203.0.113.11")
    assert [m.to for m in mail.outbox if "Confirm" in m.subject] == [["ada@example.org"]]


def test_a_spam_comment_gets_no_confirmation_email(client, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article, body="Bot.", homepage="http://spam.example")
    assert [m for m in mail.outbox if "Confirm" in m.subject] == []


def test_forged_or_foreign_links_are_refused(client):
    assert client.get(reverse("comments:trust_confirm", args=["forged"])).status_code == 400
    assert client.get(reverse("comments:commenter", args=["forged"])).status_code == 400
    settings_page = client.get(reverse("comments:commenter", args=[trust.settings_token("nobody@example.org")]))
    assert settings_page.status_code == 200
    assert "wait for an editor before they appear" in settings_page.content.decode()
