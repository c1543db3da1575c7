"""A subscriber name with a line break is refused at every way in, and one already stored fails alone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from newsletter import services
from newsletter.forms import NAME_CONTROL_CHARACTERS_MESSAGE
from newsletter.models import Delivery, Digest, Subscriber
from tests.factories import make_article, make_subscriber, make_user

pytestmark = pytest.mark.django_db

BAD_NAMES = ["Eve\r\nBcc: victim@example.org", "Eve\nX-Injected: yes", "Eve\x00", "Eve\u2028Bcc: x@example.org"]


@pytest.fixture
def editor(client):
    user = make_user(username="editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("name", BAD_NAMES)
def test_signup_refuses_a_name_with_a_control_character(client, name):
    response = client.post(reverse("newsletter:signup"), {"email": "eve@example.org", "name": name})
    assert response.status_code == 400
    assert NAME_CONTROL_CHARACTERS_MESSAGE in response.content.decode()
    assert not Subscriber.objects.exists()


def test_signup_keeps_an_ordinary_unicode_name(client):
    response = client.post(reverse("newsletter:signup"), {"email": "jo@example.org", "name": "Zoë O'Brien-李"})
    assert response.status_code == 302
    assert Subscriber.objects.get().name == "Zoë O'Brien-李"


def test_csv_import_reports_a_name_with_a_line_break_and_imports_the_rest(client, editor):
    upload = SimpleUploadedFile(
        "list.csv", b'email,name\nok@example.org,Ok Person\nbad@example.org,"Bad\r\nBcc: v@example.org"\n', "text/csv"
    )
    response = client.post(
        "/admin/newsletter/subscriber/import/",
        {"file": upload, "mode": "consented", "consent_source": "Signup sheet"},
        follow=True,
    )
    page = response.content.decode()
    assert "Imported 1 new address(es)" in page
    assert "line 3: bad@example.org (the name has a line break or control character)" in page
    assert list(Subscriber.objects.values_list("email", "name")) == [("ok@example.org", "Ok Person")]


def test_admin_refuses_a_name_with_a_line_break(client, editor):
    subscriber = make_subscriber(email="ada@example.org", name="Ada")
    url = reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])
    response = client.post(url, {"email": "ada@example.org", "name": "Ada\nBcc: v@example.org", "source": "page"})
    assert response.status_code == 200
    assert NAME_CONTROL_CHARACTERS_MESSAGE in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.name == "Ada"


def test_a_stored_bad_name_fails_its_own_delivery_and_everyone_else_gets_the_digest_once(
    smtp_server, django_capture_on_commit_callbacks
):
    # As if inserted before names were checked: the row cannot make a valid To: header.
    bad = make_subscriber(email="eve@example.org", name="Eve\r\nBcc: victim@example.org")
    good = [make_subscriber(email=f"reader{i}@example.org", name=f"Reader {i}") for i in range(3)]
    make_article(title="Lithium brief")
    digest = services.digest_build()

    with django_capture_on_commit_callbacks(execute=True):
        services.digest_send(digest=digest)

    assert sorted(smtp_server.recipients()) == sorted(s.email for s in good)  # each exactly once
    assert "victim@example.org" not in smtp_server.recipients()
    failed = Delivery.objects.get(subscriber=bad)
    assert failed.status == Delivery.Status.FAILED
    assert failed.last_error.startswith("message: ValueError(")
    assert set(Delivery.objects.exclude(subscriber=bad).values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert Digest.objects.get(pk=digest.pk).status == Digest.Status.SENT
