"""Provider bounce and complaint webhooks, through django-anymail's real tracking views."""

import base64
import json

import pytest

from newsletter.models import Subscriber
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

SECRET = "anymail-user:s3cret-webhook-pass"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def auth():
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}


def postmark(client, payload, **headers):
    return client.post(
        "/newsletter/anymail/postmark/tracking/", data=json.dumps(payload), content_type="application/json", **headers
    )


# Postmark's documented example payloads (https://postmarkapp.com/developer/webhooks/bounce-webhook).
POSTMARK_HARD_BOUNCE = {
    "RecordType": "Bounce",
    "MessageStream": "outbound",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Metadata": {},
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    "Email": "Gone@Example.org",
    "From": "news@example.org",
    "BouncedAt": "2026-11-27T05:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "Rare Earth Exchanges daily",
}
POSTMARK_SPAM_COMPLAINT = {
    **POSTMARK_HARD_BOUNCE,
    "RecordType": "SpamComplaint",
    "Type": "SpamComplaint",
    "TypeCode": 512,
    "Name": "Spam complaint",
    "Description": "The subscriber explicitly marked this message as spam.",
    "Email": "angry@example.org",
}


def test_hard_bounce_suppresses_the_address(client):
    gone = make_subscriber(email="gone@example.org")
    other = make_subscriber(email="other@example.org")
    response = postmark(client, POSTMARK_HARD_BOUNCE, **auth())
    assert response.status_code == 200
    gone.refresh_from_db()
    assert gone.status == "bounced"
    assert gone.suppressed_reason.startswith("Postmark bounced")
    assert Subscriber.objects.get(pk=other.pk).status == "confirmed"


def test_spam_complaint_suppresses_and_is_not_downgraded_by_a_later_bounce(client):
    angry = make_subscriber(email="angry@example.org")
    assert postmark(client, POSTMARK_SPAM_COMPLAINT, **auth()).status_code == 200
    assert postmark(client, {**POSTMARK_HARD_BOUNCE, "Email": "angry@example.org"}, **auth()).status_code == 200
    angry.refresh_from_db()
    assert angry.status == "complained"


def test_webhook_without_the_secret_is_refused_and_changes_nothing(client):
    make_subscriber(email="gone@example.org")
    assert postmark(client, POSTMARK_HARD_BOUNCE).status_code == 400  # anymail: SuspiciousOperation
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"anymail-user:wrong").decode()}
    assert postmark(client, POSTMARK_HARD_BOUNCE, **wrong).status_code == 400
    assert Subscriber.objects.get().status == "confirmed"


def test_mailgun_permanent_failure_suppresses_too(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": "key-for-tests"}
    import hashlib
    import hmac

    timestamp, token = "1796000000", "a" * 50
    signature = hmac.new(b"key-for-tests", f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    payload = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "timestamp": 1796000000.0,
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "recipient": "mg-gone@example.org",
            "reason": "bounce",
            "delivery-status": {"code": 550, "message": "5.1.1 No such user", "description": ""},
            "message": {"headers": {"message-id": "20261127.1@example.org"}},
        },
    }
    make_subscriber(email="mg-gone@example.org")
    response = client.post(
        "/newsletter/anymail/mailgun/tracking/", data=json.dumps(payload), content_type="application/json", **auth()
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == "bounced"
