"""The newsletter admin, as an editor uses it."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter import services
from newsletter.models import ConsentRecord, Delivery, Digest, Subscriber
from tests.factories import make_article, make_subscriber, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(client):
    user = make_user(is_staff=True, is_superuser=True, email="editor@example.org")
    client.force_login(user)
    return user


def test_subscriber_list_counts_filters_and_search(client, editor):
    make_subscriber(email="a@example.org")
    make_subscriber(email="b@example.org", status="pending", source="footer")
    make_subscriber(email="c@example.org", status="unsubscribed")
    page = client.get("/admin/newsletter/subscriber/").content.decode()
    assert "<strong>1</strong> confirmed" in page
    assert "<strong>1</strong> waiting for confirmation" in page
    assert "<strong>1</strong> unsubscribed" in page
    filtered = client.get("/admin/newsletter/subscriber/?status__exact=pending").content.decode()
    assert "b@example.org" in filtered and "a@example.org</a>" not in filtered
    assert "b@example.org" in client.get("/admin/newsletter/subscriber/?source__exact=footer").content.decode()
    searched = client.get("/admin/newsletter/subscriber/?q=c%40example").content.decode()
    assert "c@example.org" in searched and "a@example.org</a>" not in searched


def test_csv_export_of_the_filtered_list(client, editor):
    make_subscriber(email="a@example.org", name="Ann")
    make_subscriber(email="b@example.org", status="pending")
    response = client.get("/admin/newsletter/subscriber/export/?status__exact=confirmed")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["email", "name", "status"]
    assert [row[:3] for row in rows[1:]] == [["a@example.org", "Ann", "confirmed"]]


def test_import_with_confirmation_emails(client, editor, smtp_server):
    make_subscriber(email="left@example.org", status="unsubscribed")
    upload = SimpleUploadedFile(
        "list.csv", b"Email,Name\nnew@example.org,New Person\nLEFT@example.org,Left\nnot-an-email,X\n", "text/csv"
    )
    response = client.post(
        "/admin/newsletter/subscriber/import/", {"file": upload, "mode": "send_confirmation"}, follow=True
    )
    page = response.content.decode()
    assert "Imported 1 new address(es); 1 already on the list were left unchanged; 1 confirmation" in page
    assert "line 4: not-an-email" in page
    assert smtp_server.recipients() == ["new@example.org"]
    assert Subscriber.objects.get(email="new@example.org").status == "pending"
    assert Subscriber.objects.get(email="left@example.org").status == "unsubscribed"  # never resurrected


def test_import_with_recorded_consent(client, editor, smtp_server):
    upload = SimpleUploadedFile("list.csv", b"email\nexpo@example.org\n", "text/csv")
    missing = client.post("/admin/newsletter/subscriber/import/", {"file": upload, "mode": "consented"})
    assert "Say where these people consented" in missing.content.decode()
    upload = SimpleUploadedFile("list.csv", b"email\nexpo@example.org\n", "text/csv")
    client.post(
        "/admin/newsletter/subscriber/import/",
        {"file": upload, "mode": "consented", "consent_source": "Signup sheet, REE Expo 2026"},
    )
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.source) == ("confirmed", "import")
    consent = ConsentRecord.objects.get()
    assert (consent.kind, consent.consent_text) == ("imported", "Signup sheet, REE Expo 2026")
    assert smtp_server.recipients() == []


def test_digest_list_shows_delivery_stats_without_a_query_per_row(client, editor, smtp_server):
    people = [make_subscriber(email=f"p{i}@example.org") for i in range(3)]
    smtp_server.refuse[people[0].email] = 550
    smtp_server.refuse[people[1].email] = 450
    make_article(title="Stats")
    services.digest_send(digest=services.digest_build())
    page = client.get("/admin/newsletter/digest/").content.decode()
    assert (
        '<td class="field-queued">1</td><td class="field-sent">1</td><td class="field-failed">0</td><td class="field-bounced">1</td>'
        in page
    )

    # More digests must not mean more queries.
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/newsletter/digest/")
    for n in range(4):
        make_article(title=f"More {n}")
        Digest.objects.create(date=f"2026-01-0{n + 1}", subject=f"Old {n}", covers_until="2026-01-01T00:00Z")
    with CaptureQueriesContext(connection) as five:
        client.get("/admin/newsletter/digest/")
    assert len(five) == len(one)


def test_editor_builds_previews_tests_and_sends(client, editor, smtp_server):
    reader = make_subscriber(email="reader@example.org")
    make_article(title="Editor's pick")
    client.post("/admin/newsletter/digest/build/")
    digest = Digest.objects.get()
    change = client.get(f"/admin/newsletter/digest/{digest.pk}/change/").content.decode()
    assert "Preview in browser" in change and "Send a test to me" in change and "Send now" in change

    client.post(f"/admin/newsletter/digest/{digest.pk}/test/")
    assert smtp_server.recipients() == ["editor@example.org"]
    assert smtp_server.messages[0]["Subject"].startswith("[TEST] ")
    assert Delivery.objects.count() == 0

    confirm = client.get(f"/admin/newsletter/digest/{digest.pk}/send/").content.decode()
    assert "to <strong>1</strong> confirmed subscriber now" in confirm
    assert Delivery.objects.count() == 0  # asking sends nothing
    client.post(f"/admin/newsletter/digest/{digest.pk}/send/")
    client.post(f"/admin/newsletter/digest/{digest.pk}/send/")  # double click
    assert smtp_server.recipients() == ["editor@example.org", reader.email]
    digest.refresh_from_db()
    assert (digest.status, digest.sent_by) == ("sent", editor)


def test_unsubscribe_action(client, editor):
    keep = make_subscriber(email="keep@example.org")
    leave = make_subscriber(email="leave@example.org")
    response = client.post(
        "/admin/newsletter/subscriber/",
        {"action": "unsubscribe_selected", "_selected_action": [leave.pk]},
        follow=True,
    )
    assert "1 subscriber(s) unsubscribed." in response.content.decode()
    assert dict(Subscriber.objects.values_list("email", "status")) == {
        "keep@example.org": "confirmed",
        "leave@example.org": "unsubscribed",
    }
    assert keep.pk != leave.pk
