import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection
from django.test import Client
from django.urls import reverse

from newsletter.models import Subscriber
from tests.factories import make_subscriber

SIGNUP = "/newsletter/"


def post_signup(client, email, **extra):
    data = {"email": email, "name": "", "website": "", "source": "sidebar", "source_page": "/news/a-brief/", **extra}
    return client.post(SIGNUP, data)


def response_fingerprint(response):
    """Everything a visitor (or a script) can observe of the signup response, except the clock."""
    return (
        response.status_code,
        sorted((k, v) for k, v in response.headers.items() if k.lower() not in {"date", "expires"}),
        sorted((name, morsel.value) for name, morsel in response.cookies.items()),
        response.content,
    )


@pytest.mark.django_db(transaction=True)
def test_signup_creates_pending_subscriber_and_sends_one_confirmation(client, smtp_server):
    response = post_signup(client, "  Reader@Example.ORG ", name="Ada")
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:thanks")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.name, subscriber.status) == ("reader@example.org", "Ada", "pending")
    assert (subscriber.source, subscriber.source_page) == ("sidebar", "/news/a-brief/")
    assert smtp_server.recipients() == ["reader@example.org"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Please confirm your subscription to Rare Earth Exchanges"
    assert message["To"] == "Ada <reader@example.org>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = re.search(r"http://[^\s]+/newsletter/confirm/[^\s/]+/", text).group(0)
    assert link in html
    assert "/newsletter/manage/" in text


@pytest.mark.django_db(transaction=True)
def test_thank_you_page_asks_to_confirm(client):
    response = client.get(reverse("newsletter:thanks"))
    body = response.content.decode()
    assert "Fantastic! Thanks for subscribing" in body
    assert "confirm your subscription" in body


@pytest.mark.django_db(transaction=True)
def test_response_is_identical_for_new_pending_confirmed_and_unsubscribed(client, smtp_server):
    make_subscriber(email="pending@example.org", status="pending")
    make_subscriber(email="confirmed@example.org", status="confirmed")
    make_subscriber(email="left@example.org", status="unsubscribed")
    fingerprints = {
        email: response_fingerprint(post_signup(Client(), email))
        for email in ["new@example.org", "pending@example.org", "confirmed@example.org", "left@example.org"]
    }
    assert len(set(map(repr, fingerprints.values()))) == 1, fingerprints
    # ... while what happened behind it differs: the confirmed address got no email.
    assert sorted(smtp_server.recipients()) == ["left@example.org", "new@example.org", "pending@example.org"]


@pytest.mark.django_db(transaction=True)
def test_resubscribing_after_leaving_sends_a_new_confirmation(client, smtp_server):
    left = make_subscriber(email="back@example.org", status="unsubscribed")
    post_signup(client, "BACK@example.org")
    left.refresh_from_db()
    assert left.status == "pending"
    assert smtp_server.recipients() == ["back@example.org"]


@pytest.mark.django_db(transaction=True)
def test_someone_who_marked_us_as_spam_gets_no_confirmation(client, smtp_server):
    make_subscriber(email="angry@example.org", status="complained")
    assert post_signup(client, "angry@example.org").status_code == 302
    assert Subscriber.objects.get().status == "complained"
    assert smtp_server.recipients() == []


@pytest.mark.django_db(transaction=True)
def test_a_burst_sends_at_most_one_confirmation_per_hour(client, smtp_server, settings):
    settings.NEWSLETTER_SIGNUP_RATE = 100
    for _ in range(5):
        post_signup(client, "burst@example.org")
    assert smtp_server.recipients() == ["burst@example.org"]
    # An hour later, another signup may send another one.
    Subscriber.objects.update(
        last_confirmation_sent_at=Subscriber.objects.get().last_confirmation_sent_at - timedelta(hours=1, seconds=1)
    )
    post_signup(client, "burst@example.org")
    assert smtp_server.recipients() == ["burst@example.org", "burst@example.org"]


@pytest.mark.django_db(transaction=True)
def test_invalid_email_gets_a_field_error_and_nothing_is_stored(client, smtp_server):
    response = post_signup(client, "not-an-address")
    assert response.status_code == 400
    assert "Please enter a valid email address" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert Subscriber.objects.count() == 0
    assert smtp_server.recipients() == []


@pytest.mark.django_db(transaction=True)
def test_honeypot_gets_the_same_redirect_and_nothing_happens(client, smtp_server):
    human = post_signup(Client(), "human@example.org")
    bot = post_signup(client, "bot@example.org", website="http://spam.example")
    assert response_fingerprint(bot) == response_fingerprint(human)
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["human@example.org"]
    assert smtp_server.recipients() == ["human@example.org"]


@pytest.mark.django_db(transaction=True)
def test_signups_are_throttled_per_ip_with_a_clear_message(client, smtp_server, settings):
    settings.NEWSLETTER_SIGNUP_RATE = 3
    for n in range(3):
        assert post_signup(client, f"a{n}@example.org").status_code == 302
    response = post_signup(client, "a4@example.org")
    assert response.status_code == 429
    assert "Too many signups from your network" in response.content.decode()
    assert Subscriber.objects.count() == 3
    # Another address (client_ip) is not affected.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert post_signup(other, "b@example.org").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_email_is_unique_regardless_of_case_in_the_database():
    make_subscriber(email="case@example.org")
    with pytest.raises(IntegrityError):
        # .update() bypasses save()'s normalisation: the database itself refuses the duplicate.
        other = make_subscriber(email="other@example.org")
        Subscriber.objects.filter(pk=other.pk).update(email="CASE@example.org")


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_signups_of_one_address_make_one_row_and_one_email(smtp_server, settings):
    settings.NEWSLETTER_SIGNUP_RATE = 1000
    spellings = ["same@example.org", "SAME@example.org", " Same@Example.org ", "same@EXAMPLE.ORG"]
    start = threading.Barrier(20)

    def signup(n):
        try:
            start.wait(timeout=30) if n < 20 else None
            response = post_signup(Client(), spellings[n % len(spellings)])
            return response_fingerprint(response)
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        fingerprints = list(pool.map(signup, range(200)))

    assert len(set(map(repr, fingerprints))) == 1
    assert list(Subscriber.objects.values_list("email", "status")) == [("same@example.org", "pending")]
    assert smtp_server.recipients() == ["same@example.org"]


@pytest.mark.django_db(transaction=True)
def test_signup_page_and_sidebar_box_render(client):
    page = client.get(SIGNUP).content.decode()
    assert "Straight Into Your Inbox" in page
    assert "Receive a daily news update" in page
    assert 'name="website"' in page  # the honeypot
    assert "I can unsubscribe with one click" in page


@pytest.mark.django_db(transaction=True)
def test_every_reader_page_has_the_sidebar_box_and_the_footer_form(client):
    from tests.factories import make_article

    article = make_article(title="A reader page")
    for url in ["/", article.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert page.count('action="/newsletter/"') == 2, url  # sidebar + footer
        assert 'name="source" value="sidebar"' in page and 'name="source" value="footer"' in page
        assert f'name="source_page" value="{url}"' in page
        assert page.count("data-csrf-field") >= 2  # cache-safe token fields (reex/csrf.py)
