"""Each moderation rule, through the public form (the way a visitor meets it)."""

import time

import pytest

from comments.models import Comment, ModerationWord
from comments.moderation import count_links, form_timestamp
from tests.comments.conftest import post_comment, trust_directly


def only_comment():
    (comment,) = Comment.objects.all()
    return comment


@pytest.mark.django_db
def test_new_comment_is_pending_by_default(client, article):
    post_comment(client, article)
    comment = only_comment()
    assert (comment.status, comment.moderation_reason) == (Comment.Status.PENDING, "")


@pytest.mark.django_db
def test_known_email_is_auto_approved_only_with_proof(client, article):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    post_comment(client, article, email="ADA@example.org", body="Typed the email.")
    assert Comment.objects.get(body="Typed the email.").status == Comment.Status.PENDING
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    post_comment(client, article, email="ADA@example.org", body="Second thoughts.")
    new = Comment.objects.get(body="Second thoughts.")
    assert new.status == Comment.Status.APPROVED


@pytest.mark.django_db
def test_proof_without_an_approved_comment_is_not_enough(client, article):
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    post_comment(client, article, body="Confirmed but never approved.")
    assert Comment.objects.get(body="Confirmed but never approved.").status == Comment.Status.PENDING


@pytest.mark.django_db
def test_a_form_without_its_token_is_accepted_and_held(client, article):
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    response = post_comment(client, article, ts="", body="No JavaScript here.")
    assert response.status_code == 302
    held = Comment.objects.get(body="No JavaScript here.")
    assert (held.status, held.moderation_reason) == (
        Comment.Status.PENDING,
        "Held: sent without JavaScript (no form token), so its speed could not be checked.",
    )


@pytest.mark.django_db
def test_auto_approve_can_be_switched_off(client, article, settings):
    settings.COMMENTS_AUTO_APPROVE_KNOWN = False
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    post_comment(client, article, body="Second thoughts.")
    assert Comment.objects.get(body="Second thoughts.").status == Comment.Status.PENDING


@pytest.mark.django_db
def test_email_with_only_pending_or_spam_comments_is_not_known(client, article):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Held.", status="pending")
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Spam.", status="spam")
    post_comment(client, article, body="Third.")
    assert Comment.objects.get(body="Third.").status == Comment.Status.PENDING


@pytest.mark.django_db
def test_two_links_hold_even_a_known_email(client, article):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    post_comment(client, article, body="See https://a.example/x and www.b.example for more.")
    held = Comment.objects.get(body__startswith="See")
    assert (held.status, held.moderation_reason) == (Comment.Status.PENDING, "Held: contains 2 links.")


@pytest.mark.django_db
def test_one_link_from_a_known_email_is_approved(client, article):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    post_comment(client, article, body="One source: https://a.example/x")
    assert Comment.objects.get(body__startswith="One").status == Comment.Status.APPROVED


@pytest.mark.django_db
def test_hold_word_holds_a_known_email(client, article):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    ModerationWord.objects.create(word="Lynas", kind=ModerationWord.Kind.HOLD)
    post_comment(client, article, body="What about lynas shares?")
    held = Comment.objects.get(body__startswith="What")
    assert (held.status, held.moderation_reason) == (
        Comment.Status.PENDING,
        "Held: matches the moderation list: 'Lynas'.",
    )


@pytest.mark.django_db
def test_words_match_whole_words_only(client, article):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    trust_directly(client, name="Ada Reader", email="ada@example.org")
    ModerationWord.objects.create(word="cialis", kind=ModerationWord.Kind.BLOCK)
    post_comment(client, article, body="A specialist view.")
    assert Comment.objects.get(body="A specialist view.").status == Comment.Status.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value",
    [
        ("body", "Buy CHEAP-PILLS now"),
        ("name", "cheap-pills seller"),
        ("email", "x@cheap-pills.example"),
        ("url", "https://cheap-pills.example/"),
    ],
)
def test_block_word_in_any_field_is_spam_and_kept(client, article, field, value):
    ModerationWord.objects.create(word="cheap-pills", kind=ModerationWord.Kind.BLOCK)
    response = post_comment(client, article, **{field: value})
    assert response.status_code == 302  # the sender is told nothing a bot could learn from
    spam = only_comment()
    assert (spam.status, spam.moderation_reason) == (Comment.Status.SPAM, "Matches the block list: 'cheap-pills'.")


@pytest.mark.django_db
def test_blocked_ip_address_is_spam(client, article):
    ModerationWord.objects.create(word="198.51.100.7", kind=ModerationWord.Kind.BLOCK)
    post_comment(client, article, remote_addr="198.51.100.7")
    post_comment(client, article, remote_addr="198.51.100.8", email="other@example.org")
    assert dict(Comment.objects.values_list("ip_address", "status")) == {
        "198.51.100.7": Comment.Status.SPAM,
        "198.51.100.8": Comment.Status.PENDING,
    }


@pytest.mark.django_db
def test_block_wins_over_hold_and_known_email(client, article):
    Comment.objects.create(article=article, name="Ada", email="ada@example.org", body="Earlier.", status="approved")
    ModerationWord.objects.create(word="casino", kind=ModerationWord.Kind.BLOCK)
    ModerationWord.objects.create(word="casino", kind=ModerationWord.Kind.HOLD)
    post_comment(client, article, body="casino https://a.example https://b.example")
    assert Comment.objects.get(body__startswith="casino").status == Comment.Status.SPAM


@pytest.mark.django_db
def test_filled_honeypot_is_spam(client, article):
    post_comment(client, article, homepage="https://bot.example")
    spam = only_comment()
    assert (spam.status, spam.moderation_reason) == (Comment.Status.SPAM, "Filled the hidden honeypot field.")


@pytest.mark.django_db
def test_form_sent_faster_than_a_person_is_spam(client, article, settings):
    settings.COMMENTS_MIN_SECONDS = 5
    post_comment(client, article, ts=form_timestamp(at=time.time() - 1))
    spam = only_comment()
    assert spam.status == Comment.Status.SPAM
    assert spam.moderation_reason.endswith("too fast for a person.")


@pytest.mark.django_db
def test_form_older_than_two_hours_is_refused_and_keeps_the_text(client, article):
    response = post_comment(client, article, ts=form_timestamp(at=time.time() - 2 * 3600 - 5), body="Slow typist.")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form has expired. Please reload the page" in html
    assert "Slow typist.</textarea>" in html
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_tampered_timestamp_is_refused(client, article):
    response = post_comment(client, article, ts="12345:forged")
    assert response.status_code == 400
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_spam_is_shown_only_to_its_sender_as_awaiting(client, article):
    post_comment(client, article, homepage="filled", body="Bot text.")
    assert "Bot text." in client.get(article.get_absolute_url()).content.decode()
    from django.test import Client

    assert "Bot text." not in Client().get(article.get_absolute_url()).content.decode()


def test_count_links():
    assert [count_links(t) for t in ["none", "http://a.b", "https://a and www.b.c", "xwww.a"]] == [0, 1, 2, 0]
