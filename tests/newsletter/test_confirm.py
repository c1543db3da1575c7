import json
import re

import pytest
from django.core import signing
from django.test import Client

from newsletter import tokens
from newsletter.forms import CONSENT_TEXT, FORM_VERSION
from newsletter.models import ConsentRecord, Subscriber
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db(transaction=True)


def sign_up_and_get_link(client, smtp_server, email="ada@example.org"):
    client.post(
        "/newsletter/",
        {"email": email, "name": "Ada", "source": "page", "source_page": "/newsletter/"},
        REMOTE_ADDR="198.51.100.7",
    )
    text = smtp_server.messages[-1].get_body(("plain",)).get_content()
    return re.search(r"http://[^\s]+(/newsletter/confirm/[^\s/]+/)", text).group(1)


def test_get_on_the_confirmation_link_changes_nothing(client, smtp_server):
    path = sign_up_and_get_link(client, smtp_server)
    before = list(Subscriber.objects.values())
    for _ in range(3):  # a link scanner, a preview pane, the visitor
        response = Client().get(path)
        assert response.status_code == 200
        assert "<button" in response.content.decode() and ">Confirm</button>" in response.content.decode()
    assert list(Subscriber.objects.values()) == before
    assert ConsentRecord.objects.count() == 0
    assert smtp_server.recipients() == ["ada@example.org"]  # no welcome email


def test_post_confirms_records_consent_and_sends_one_welcome(client, smtp_server):
    path = sign_up_and_get_link(client, smtp_server)
    first = client.post(path, REMOTE_ADDR="198.51.100.7")
    again = client.post(path, REMOTE_ADDR="198.51.100.7")  # double click
    assert first.status_code == again.status_code == 200
    assert "Subscription confirmed" in first.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at is not None
    consent = ConsentRecord.objects.get()
    assert (consent.kind, consent.form_version, consent.consent_text, consent.source_page) == (
        "confirmed",
        FORM_VERSION,
        CONSENT_TEXT,
        "/newsletter/",
    )
    assert consent.ip_hash == tokens.ip_hash("198.51.100.7")
    assert "198.51.100.7" not in json.dumps(list(ConsentRecord.objects.values()), default=str)
    assert smtp_server.recipients() == ["ada@example.org", "ada@example.org"]
    welcome = smtp_server.messages[1]
    assert welcome["Subject"] == "Welcome to the Rare Earth Exchanges daily digest"
    assert "/newsletter/manage/" in welcome.get_body(("plain",)).get_content()
    assert "/newsletter/manage/" in welcome.get_body(("html",)).get_content()


def test_confirmation_links_expire(client, smtp_server, settings):
    path = sign_up_and_get_link(client, smtp_server)
    settings.NEWSLETTER_CONFIRMATION_MAX_AGE_HOURS = 0
    signing_max_age_zero = client.post(path)
    assert signing_max_age_zero.status_code == 404
    assert "This link is no longer valid" in signing_max_age_zero.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_forged_or_other_salt_tokens_are_refused(client):
    subscriber = make_subscriber(status="pending")
    forged = signing.dumps({"id": subscriber.pk, "e": "0" * 16}, salt=tokens.CONFIRM_SALT)
    manage_token_as_confirm = tokens.manage_token(subscriber)
    for token in [forged, manage_token_as_confirm, "garbage"]:
        assert client.post(f"/newsletter/confirm/{token}/").status_code == 404
    assert Subscriber.objects.get().status == "pending"


def test_an_old_link_cannot_resubscribe_someone_who_left(client, smtp_server):
    path = sign_up_and_get_link(client, smtp_server)
    client.post(path)
    Subscriber.objects.update(status="unsubscribed")
    response = client.post(path)
    assert response.status_code == 404
    assert Subscriber.objects.get().status == "unsubscribed"
    assert ConsentRecord.objects.count() == 1
