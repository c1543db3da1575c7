"""Digest sending against a real SMTP server on loopback: exactly once, per subscriber."""

import re
import threading
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles.models import Article
from newsletter import services
from newsletter.models import Delivery, Digest, Subscriber
from tests.conftest import free_port
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db(transaction=True)


def build_digest(n_articles=2):
    for n in range(n_articles):
        make_article(title=f"Brief number {n}", standfirst=f"What paper {n} found.")
    return services.digest_build()


def subscribers(n, prefix="reader"):
    return [make_subscriber(email=f"{prefix}{i:03d}@example.org") for i in range(n)]


def recipients_counter(smtp):
    return Counter(smtp.recipients())


# --- Building ---------------------------------------------------------------------------


def test_digest_holds_articles_published_since_the_previous_digest():
    old = make_article(title="Yesterday's news", published_at=timezone.now() - timedelta(hours=20))
    previous = services.digest_build(day=timezone.localdate() - timedelta(days=1))
    assert [a.title for a in previous.ordered_articles()] == ["Yesterday's news"]
    fresh = make_article(title="Fresh brief", published_at=timezone.now() - timedelta(minutes=5))
    make_article(title="A draft", status=Article.Status.DRAFT)
    make_article(title="Scheduled", published_at=timezone.now() + timedelta(hours=2))

    digest = services.digest_build()

    assert digest.ordered_articles() == [fresh]
    assert old not in digest.ordered_articles()
    assert services.digest_build() == digest  # built once per day
    assert digest.subject.startswith("Rare Earth Exchanges daily, ")
    assert digest.subject.endswith(": Fresh brief")


def test_an_article_unpublished_after_the_build_is_not_mailed(smtp_server):
    make_subscriber()
    digest = build_digest(n_articles=2)
    Article.objects.filter(title="Brief number 1").update(status=Article.Status.UNPUBLISHED)
    services.digest_send(digest=digest)
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    assert html.count("Read the brief") == 1
    assert ">Brief number 0</a>" in html
    assert ">Brief number 1</a>" not in html


def test_no_new_articles_means_no_digest(smtp_server):
    make_subscriber()
    assert services.digest_build() is None
    call_command("send_daily_digest", stdout=StringIO())
    assert Digest.objects.count() == 0
    assert smtp_server.recipients() == []


# --- Sending in process (tasks run immediately) -------------------------------------------


def test_each_confirmed_subscriber_gets_exactly_one_and_nobody_else_any(smtp_server):
    confirmed = subscribers(5)
    for status in ["pending", "unsubscribed", "bounced", "complained"]:
        make_subscriber(email=f"{status}@example.org", status=status)
    digest = build_digest()

    assert services.digest_send(digest=digest) == 5

    assert sorted(smtp_server.recipients()) == sorted(s.email for s in confirmed)
    digest.refresh_from_db()
    assert digest.status == "sent" and digest.sent_at is not None
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["sent"] * 5
    message = smtp_server.messages[0]
    assert message["Subject"] == digest.subject
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Brief number 0" in body and "Brief number 1" in body
        assert "/news/" in body  # links to the articles
        assert "/newsletter/manage/" in body


def test_double_click_and_reruns_send_nothing_twice(smtp_server):
    people = subscribers(6)
    digest = build_digest()
    barrier = threading.Barrier(2)

    def click():
        barrier.wait(timeout=30)
        try:
            services.digest_send(digest=digest)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    services.digest_send(digest=digest)
    call_command("send_daily_digest", stdout=StringIO())

    assert recipients_counter(smtp_server) == Counter({p.email: 1 for p in people})
    assert Delivery.objects.count() == 6


def test_rfc8058_headers_and_one_click_post_without_cookie_or_csrf(smtp_server):
    reader, other = subscribers(2)
    services.digest_send(digest=build_digest())
    message = next(m for m in smtp_server.messages if m["To"] == reader.email)

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    urls = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    https_url, mailto = urls
    assert https_url.startswith(f"{settings.SITE_URL}/newsletter/unsubscribe/")  # https in production
    assert mailto.startswith("mailto:") and "subject=unsubscribe" in mailto
    assert message["Message-ID"].startswith("<digest-")

    # A mail client POSTs with no cookie and no CSRF token (RFC 8058 section 3.2).
    mail_client = Client(enforce_csrf_checks=True)
    path = https_url.removeprefix(settings.SITE_URL)
    response = mail_client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert (
        mail_client.post(
            path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 200
    )
    assert Subscriber.objects.get(pk=reader.pk).status == "unsubscribed"
    assert Subscriber.objects.get(pk=other.pk).status == "confirmed"

    # The next digest skips them.
    smtp_server.clear()
    make_article(title="Next day")
    tomorrow = services.digest_build(day=timezone.localdate() + timedelta(days=1))
    services.digest_send(digest=tomorrow)
    assert smtp_server.recipients() == [other.email]


def test_the_unsubscribe_link_get_only_shows_a_button(client, smtp_server):
    reader = make_subscriber()
    services.digest_send(digest=build_digest())
    url = re.findall(r"<([^>]+)>", smtp_server.messages[0]["List-Unsubscribe"])[0]
    response = client.get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200
    assert "Unsubscribe</button>" in response.content.decode()
    assert Subscriber.objects.get(pk=reader.pk).status == "confirmed"


def test_unsubscribing_after_the_send_started_takes_effect_before_the_message(smtp_server):
    stays, leaves = subscribers(2)
    digest = build_digest()
    services.digest_send(digest=digest, enqueue=False)  # deliveries exist, nothing sent yet
    services.subscriber_unsubscribe(subscriber=leaves)
    Subscriber.objects.filter(pk=stays.pk)  # untouched

    services.digest_send_batch(digest_id=digest.pk)

    assert smtp_server.recipients() == [stays.email]
    assert Delivery.objects.get(subscriber=leaves).status == "skipped"
    assert Digest.objects.get(pk=digest.pk).status == "sent"


# --- SMTP failures -----------------------------------------------------------------------


def test_temporary_failure_is_retried_with_backoff(smtp_server, settings):
    ok, busy = subscribers(2)
    smtp_server.refuse[busy.email] = 450
    digest = build_digest()
    services.digest_send(digest=digest)

    assert smtp_server.recipients() == [ok.email]
    delivery = Delivery.objects.get(subscriber=busy)
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.last_error.startswith("450")
    wait = delivery.next_attempt_at - timezone.now()
    assert (
        timedelta(seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS - 60)
        < wait
        <= timedelta(seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS)
    )
    assert Digest.objects.get(pk=digest.pk).status == "sending"
    assert Subscriber.objects.get(pk=busy.pk).status == "confirmed"

    # Not due yet: a run now sends nothing.
    assert services.digest_send_batch(digest_id=digest.pk).claimed == 0
    # Still refusing after the backoff: the second wait is twice as long.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    services.digest_send_batch(digest_id=digest.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - timezone.now() > timedelta(
        seconds=2 * settings.NEWSLETTER_RETRY_BASE_SECONDS - 60
    )

    # The mailbox recovers; the next due run delivers, once.
    del smtp_server.refuse[busy.email]
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    call_command("send_daily_digest", stdout=StringIO())
    assert recipients_counter(smtp_server) == Counter({ok.email: 1, busy.email: 1})
    assert Digest.objects.get(pk=digest.pk).status == "sent"


def test_temporary_failures_give_up_after_max_attempts(smtp_server, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    busy = make_subscriber()
    smtp_server.refuse[busy.email] = 451
    digest = build_digest()
    services.digest_send(digest=digest)
    Delivery.objects.update(next_attempt_at=timezone.now())
    services.digest_send_batch(digest_id=digest.pk)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert Digest.objects.get(pk=digest.pk).status == "sent"
    assert Subscriber.objects.get().status == "confirmed"  # a full mailbox is not a bounce


def test_permanent_failure_bounces_and_suppresses_the_address(smtp_server):
    ok, gone = subscribers(2)
    smtp_server.refuse[gone.email] = 550
    services.digest_send(digest=build_digest())

    assert smtp_server.recipients() == [ok.email]
    assert Delivery.objects.get(subscriber=gone).status == "bounced"
    gone.refresh_from_db()
    assert gone.status == "bounced"
    assert gone.suppressed_reason.startswith("SMTP 550")

    smtp_server.clear()
    make_article(title="Next day")
    services.digest_send(digest=services.digest_build(day=timezone.localdate() + timedelta(days=1)))
    assert smtp_server.recipients() == [ok.email]


def test_smtp_server_down_loses_nobody(smtp_server, settings):
    people = subscribers(4)
    digest = build_digest()
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    services.digest_send(digest=digest)
    assert sorted(Delivery.objects.values_list("status", "attempts")) == [("queued", 0)] * 4
    assert Digest.objects.get(pk=digest.pk).status == "sending"

    settings.MAILERS = working
    Delivery.objects.update(next_attempt_at=timezone.now())
    call_command("send_daily_digest", stdout=StringIO())
    assert recipients_counter(smtp_server) == Counter({p.email: 1 for p in people})


# --- The command -------------------------------------------------------------------------


def test_the_digest_is_built_before_the_hour_and_the_command_sends_it_at_the_hour(smtp_server, settings):
    person = make_subscriber()
    make_article(title="Morning brief")
    now = timezone.localtime()
    # An hour before a 13:00 send hour, today: the time is passed in, so the test runs at any hour of the day.
    settings.NEWSLETTER_SEND_HOUR = 13
    settings.NEWSLETTER_BUILD_LEAD_MINUTES = 120
    assert services.digest_due_today(now=now.replace(hour=10, minute=59)) is None  # before the build time
    assert not Digest.objects.exists()
    assert services.digest_due_today(now=now.replace(hour=12, minute=0)) is None  # built, not due yet
    digest = Digest.objects.get()
    assert digest.status == "draft"  # built for review, not sent yet
    assert smtp_server.recipients() == []

    settings.NEWSLETTER_SEND_HOUR = now.hour
    out = StringIO()
    call_command("send_daily_digest", stdout=out)
    assert smtp_server.recipients() == [person.email]
    assert "1/1 done" in out.getvalue()
    call_command("send_daily_digest", stdout=StringIO())
    assert smtp_server.recipients() == [person.email]


def test_held_digest_is_not_sent_automatically(smtp_server, settings):
    make_subscriber()
    make_article()
    settings.NEWSLETTER_SEND_HOUR = 0
    settings.NEWSLETTER_BUILD_LEAD_MINUTES = 0
    digest = services.digest_build()
    Digest.objects.filter(pk=digest.pk).update(auto_send=False)
    call_command("send_daily_digest", stdout=StringIO())
    assert Digest.objects.get().status == "draft"
    assert smtp_server.recipients() == []


def test_a_row_another_sender_took_over_is_left_alone(gated_smtp, settings):
    import uuid

    smtp = gated_smtp(hold_after=1)  # the sender stalls on its second message
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": smtp.host, "port": smtp.port, "timeout": 30},
        }
    }
    people = subscribers(3)
    digest = build_digest()
    services.digest_send(digest=digest, enqueue=False)

    def sender():
        try:
            services.digest_send_batch(digest_id=digest.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=sender)
    thread.start()
    assert smtp.handler.held.wait(timeout=60)
    # Meanwhile another sender has taken the third row over (as after an expired lease).
    third = Delivery.objects.get(subscriber=people[2])
    other = uuid.uuid4()
    Delivery.objects.filter(pk=third.pk).update(claim_token=other, claimed_by="other-host:1")
    smtp.handler.release()
    thread.join(timeout=60)

    assert smtp.recipients() == [people[0].email, people[1].email]
    third.refresh_from_db()
    assert (third.status, third.claim_token, third.claimed_by) == ("sending", other, "other-host:1")
