"""The subscriber's own page, linked in every email: download data, unsubscribe, delete."""

import json

import pytest

from newsletter import tokens
from newsletter.models import ConsentRecord, Delivery, Subscriber
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db


def manage_path(subscriber):
    return f"/newsletter/manage/{tokens.manage_token(subscriber)}/"


def test_download_my_data_as_json(client):
    subscriber = make_subscriber(email="me@example.org", name="Me", source_page="/news/x/")
    ConsentRecord.objects.create(subscriber=subscriber, form_version="v1", consent_text="Yes", ip_hash="ab" * 32)
    response = client.get(manage_path(subscriber) + "data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="newsletter-data.json"'
    data = json.loads(response.content)
    assert (data["email"], data["name"], data["status"], data["source_page"]) == (
        "me@example.org",
        "Me",
        "confirmed",
        "/news/x/",
    )
    assert [(c["form_version"], c["consent_text"], c["ip_address_hash"]) for c in data["consents"]] == [
        ("v1", "Yes", "ab" * 32)
    ]
    assert data["digests_received"] == []


def test_manage_page_unsubscribes_with_a_post_only(client):
    subscriber = make_subscriber()
    page = client.get(manage_path(subscriber))
    assert page.status_code == 200
    assert subscriber.email in page.content.decode()
    assert Subscriber.objects.get().status == "confirmed"
    response = client.post(manage_path(subscriber), {"action": "unsubscribe"})
    assert "You have been unsubscribed" in response.content.decode()
    assert Subscriber.objects.get().status == "unsubscribed"


def test_delete_needs_the_box_ticked_and_then_erases_everything(client):
    subscriber = make_subscriber()
    other = make_subscriber()
    ConsentRecord.objects.create(subscriber=subscriber, form_version="v1")
    response = client.post(manage_path(subscriber), {"action": "delete"})
    assert "Tick the box" in response.content.decode()
    assert Subscriber.objects.count() == 2
    response = client.post(manage_path(subscriber), {"action": "delete", "really": "yes"})
    assert "Your data has been deleted" in response.content.decode()
    assert list(Subscriber.objects.all()) == [other]
    assert ConsentRecord.objects.count() == 0 and Delivery.objects.count() == 0
    # The link is dead now.
    assert client.get(manage_path(subscriber)).status_code == 404


def test_tampered_token_is_refused(client):
    subscriber = make_subscriber()
    token = tokens.manage_token(subscriber)
    assert client.get(f"/newsletter/manage/{token[:-2]}xx/").status_code == 404
    assert client.post(f"/newsletter/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert Subscriber.objects.get().status == "confirmed"
