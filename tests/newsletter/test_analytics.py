"""The analytics page: exact per-digest outcomes, the list's daily series, and charts drawn in Chromium."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from newsletter import analytics, services
from newsletter.models import Digest, Subscriber
from tests.factories import make_article, make_subscriber, make_user

pytestmark = pytest.mark.django_db(transaction=True)
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pw-for-analytics-1"


def send_a_partly_failed_digest(smtp_server):
    """7 recipients: 1 refused (550), 1 deferred (450), 5 accepted; then 1 provider bounce, 1 complaint, 1 leaves."""
    people = [make_subscriber(email=f"stat{i}@example.org") for i in range(7)]
    left_before = make_subscriber(email="gone-before@example.org")
    services.subscriber_unsubscribe(subscriber=left_before)  # not a recipient: must count nowhere
    smtp_server.refuse = {"stat0@example.org": 550, "stat1@example.org": 450}
    make_article(title="Analytics digest")
    digest = services.digest_build()
    services.digest_send(digest=digest)
    # After the send: a provider reports a bounce, one reader complains, one unsubscribes.
    services.subscriber_suppress(email="stat2@example.org", status="bounced", reason="provider bounce")
    services.subscriber_suppress(email="stat3@example.org", status="complained", reason="spam button")
    services.subscriber_unsubscribe(subscriber=people[4])
    return Digest.objects.get(pk=digest.pk)


def test_digest_outcomes_are_counted_exactly(smtp_server, client):
    digest = send_a_partly_failed_digest(smtp_server)

    assert analytics.digest_stats(digest).as_dict() == {
        "recipients": 7,
        "sent": 5,
        "deferred": 1,
        "failed": 0,
        "bounced": 2,  # the 550 at RCPT and the provider's report
        "complained": 1,
        "unsubscribed": 1,
    }

    client.force_login(make_user(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:newsletter_digest_analytics"))
    assert page.status_code == 200
    html = page.content.decode()
    for stat, value in [("recipients", 7), ("sent", 5), ("deferred", 1), ("bounced", 2), ("complained", 1)]:
        assert f'data-stat="{stat}">{value}</td>' in html
    assert 'data-stat="unsubscribed">1</td>' in html


def test_finished_digests_read_their_rollup(smtp_server):
    make_subscriber(email="one@example.org")
    make_article(title="Rollup")
    digest = services.digest_build()
    services.digest_send(digest=digest)
    digest.refresh_from_db()
    assert digest.status == "sent"
    assert digest.delivery_counts == {"recipients": 1, "sent": 1, "deferred": 0, "failed": 0, "bounced": 0}


def test_an_unsubscribe_is_credited_to_the_last_digest_before_it(smtp_server):
    reader = make_subscriber(email="reader@example.org")
    make_article(title="First")
    first = services.digest_build(day=timezone.localdate() - timedelta(days=1))
    services.digest_send(digest=first)
    make_article(title="Second")
    second = services.digest_build()
    services.digest_send(digest=second)
    services.subscriber_unsubscribe(subscriber=reader)

    assert analytics.digest_stats(Digest.objects.get(pk=first.pk)).unsubscribed == 0
    assert analytics.digest_stats(Digest.objects.get(pk=second.pk)).unsubscribed == 1


def test_list_series_over_90_days():
    now = timezone.now()
    for n in range(3):
        make_subscriber(email=f"today{n}@example.org")
    old = make_subscriber(email="old@example.org")
    Subscriber.objects.filter(pk=old.pk).update(
        created_at=now - timedelta(days=10), confirmed_at=now - timedelta(days=10)
    )
    leaver = make_subscriber(email="leaver@example.org")
    Subscriber.objects.filter(pk=leaver.pk).update(
        created_at=now - timedelta(days=20),
        confirmed_at=now - timedelta(days=20),
        status="unsubscribed",
        unsubscribed_at=now - timedelta(days=5),
    )

    series = analytics.list_series()
    assert len(series["days"]) == 90 and series["days"][-1] == timezone.localdate().isoformat()
    assert series["confirmed_now"] == 4
    assert sum(series["signups"]) == 5
    assert series["signups"][-1] == 3 and series["signups"][-11] == 1 and series["signups"][-21] == 1
    assert series["unsubscribes"][-6] == 1 and sum(series["unsubscribes"]) == 1
    # Walked back: 4 today; 1 before today's 3 confirmations; 2 while the leaver was still in; 1 before the old one.
    assert series["confirmed"][-1] == 4
    assert series["confirmed"][-2] == 1
    assert series["confirmed"][-7] == 2
    assert series["confirmed"][-12] == 1
    assert series["confirmed"][0] == 0


def seed_history(days=90):
    """A list that grew over 90 days, with some leaving: something worth drawing."""
    now = timezone.now()
    rows = []
    for day in range(days):
        at = now - timedelta(days=day, hours=1)
        for n in range(3 + (day * 7) % 11):
            left = n == 0 and day % 3 == 0
            rows.append(
                Subscriber(
                    email=f"hist{day}-{n}@example.net",
                    status="unsubscribed" if left else "confirmed",
                    confirmed_at=at,
                    unsubscribed_at=at + timedelta(minutes=30) if left else None,
                    welcome_sent_at=at,
                )
            )
    Subscriber.objects.bulk_create(rows)
    # created_at is auto_now_add: backdate it afterwards.
    Subscriber.objects.filter(email__startswith="hist").update(created_at=F("confirmed_at"))


def test_charts_render_in_chromium(smtp_server, page, live_server, artifacts_dir):
    seed_history()
    send_a_partly_failed_digest(smtp_server)
    make_user(username="analyst", password=PASSWORD, is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/login/?next={reverse('admin:newsletter_digest_analytics')}")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("html[data-charts-ready='1']")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.reload()
    page.wait_for_selector("html[data-charts-ready='1']")
    assert errors == []  # no CSP violation, no script error
    # Chart.js drew into both canvases (a blank canvas has no non-transparent pixel).
    drawn = page.evaluate(
        """() => ['nl-chart-confirmed', 'nl-chart-flow'].map(id => {
            const c = document.getElementById(id); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })"""
    )
    assert all(n > 1000 for n in drawn), drawn
    path = artifacts_dir / "newsletter-analytics.png"
    page.screenshot(path=str(path), full_page=True)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_SCREENSHOTS / "newsletter-analytics.png")
