"""International addresses: signup over HTTP, storage in one spelling, delivery with and without SMTPUTF8."""

import re

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from newsletter import services
from newsletter.addresses import normalise_email, validate_address
from newsletter.forms import SignupForm
from newsletter.models import Delivery, Subscriber
from tests.conftest import SMTPRecorder, _Handler, free_port
from tests.factories import make_article, make_subscriber, make_user

pytestmark = pytest.mark.django_db(transaction=True)

ZOE = "Zoë.Test+news@Example.COM"
BUCHER = "user@bücher.example"


def _server(settings, *, smtputf8: bool):
    recorder = SMTPRecorder(host="127.0.0.1", port=free_port())
    controller = Controller(_Handler(recorder), hostname="127.0.0.1", port=recorder.port, enable_SMTPUTF8=smtputf8)
    controller.start()
    settings.MAILERS = {
        "default": {"BACKEND": "reex.mail.SMTPBackend", "OPTIONS": {"host": recorder.host, "port": recorder.port}}
    }
    controller.recorder = recorder
    return controller


@pytest.fixture
def smtputf8_server(settings):
    """A loopback SMTP server that offers SMTPUTF8 (RFC 6531)."""
    controller = _server(settings, smtputf8=True)
    yield controller.recorder
    controller.stop()


@pytest.fixture
def plain_smtp_server(settings):
    """A loopback SMTP server that does not offer SMTPUTF8 (as many still don't)."""
    controller = _server(settings, smtputf8=False)
    yield controller.recorder
    controller.stop()


@pytest.fixture(autouse=True)
def _no_signup_throttle(settings):
    settings.NEWSLETTER_SIGNUP_RATE = 100


def sign_up(client, email):
    response = client.post(reverse("newsletter:signup"), {"email": email, "source": "page", "source_page": "/"})
    assert response.status_code == 302, response.content.decode()[:2000]


def confirm_from_mail(client, smtp, rcpt):
    envelope = next(e for e in smtp.envelopes if e["rcpt_tos"] == [rcpt])
    body = envelope["data"].decode("utf-8", "replace").replace("=\r\n", "")
    path = re.search(r"https?://[^/\s]+(/newsletter/confirm/[^\s\"<>]+)", body).group(1)
    assert client.post(path).status_code == 200


def test_international_addresses_sign_up_confirm_and_get_the_digest(client, smtputf8_server):
    sign_up(client, ZOE)
    sign_up(client, BUCHER)

    # Stored in one spelling: lower case, the domain as IDNA.
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "zoë.test+news@example.com",
        "user@xn--bcher-kva.example",
    }
    # The confirmation went out: Zoë's over SMTPUTF8, the IDN domain as IDNA.
    assert sorted(smtputf8_server.recipients()) == ["user@xn--bcher-kva.example", "zoë.test+news@example.com"]
    confirm_from_mail(client, smtputf8_server, "zoë.test+news@example.com")
    confirm_from_mail(client, smtputf8_server, "user@xn--bcher-kva.example")
    assert Subscriber.objects.confirmed().count() == 2

    smtputf8_server.clear()
    make_article(title="Digest for everyone")
    services.digest_send(digest=services.digest_build())

    assert sorted(smtputf8_server.recipients()) == ["user@xn--bcher-kva.example", "zoë.test+news@example.com"]
    zoe_digest = next(e for e in smtputf8_server.envelopes if e["rcpt_tos"] == ["zoë.test+news@example.com"])
    assert "To: zoë.test+news@example.com".encode() in zoe_digest["data"]  # raw UTF-8 header (RFC 6532)
    assert Delivery.objects.filter(status="sent").count() == 2


def test_variants_of_one_address_make_one_subscriber(client, smtputf8_server):
    sign_up(client, ZOE)
    variants = [
        "zoe\u0308.test+news@example.com",  # e + combining diaeresis (NFD)
        "ZOË.TEST+NEWS@EXAMPLE.COM",
        "ｚｏë.test+news＠example.com",  # fullwidth letters and at sign
        "  Zoë.Test+news@Example.COM ",
    ]
    for variant in variants:
        sign_up(client, variant)
    sign_up(client, BUCHER)
    sign_up(client, "USER@BÜCHER.example")
    sign_up(client, "user@xn--bcher-kva.example")

    assert Subscriber.objects.count() == 2
    assert {normalise_email(v) for v in [ZOE, *variants]} == {"zoë.test+news@example.com"}


@pytest.mark.parametrize(
    "address",
    ["zo\u200be@example.com", "a b@example.com", "zoë@", "@bücher.example", "zoë..x@example.com", "x@bü_cher.example"],
)
def test_malformed_international_addresses_are_refused_with_a_clear_message(address):
    form = SignupForm(data={"email": address})
    assert not form.is_valid()
    assert form.errors["email"] == ["Please enter a valid email address, like name@example.com."]
    with pytest.raises(Exception, match="valid email address"):
        validate_address(address)


def test_a_server_without_smtputf8_keeps_the_subscriber_with_a_visible_reason(client, plain_smtp_server):
    smtp_server = plain_smtp_server
    ascii_reader = make_subscriber(email="plain@example.org")
    zoe = make_subscriber(email=normalise_email(ZOE))
    bucher = make_subscriber(email=normalise_email(BUCHER))
    make_article(title="No SMTPUTF8 here")
    services.digest_send(digest=services.digest_build())

    # The batch went on: the ASCII and IDN-domain addresses got theirs.
    assert sorted(smtp_server.recipients()) == ["plain@example.org", "user@xn--bcher-kva.example"]
    zoe.refresh_from_db()
    assert zoe.status == "confirmed"  # kept, not bounced
    assert "SMTPUTF8" in zoe.delivery_problem
    assert Delivery.objects.get(subscriber=zoe).status == "failed"
    assert "SMTPUTF8" in Delivery.objects.get(subscriber=zoe).last_error
    assert Subscriber.objects.get(pk=ascii_reader.pk).delivery_problem == ""
    assert Subscriber.objects.get(pk=bucher.pk).delivery_problem == ""

    # Editors see why in the admin.
    client.force_login(make_user(is_staff=True, is_superuser=True, email="editor@example.org"))
    page = client.get(reverse("admin:newsletter_subscriber_change", args=[zoe.pk]))
    assert page.status_code == 200
    assert "does not offer SMTPUTF8" in page.content.decode()


def test_signup_without_smtputf8_stores_the_subscriber_and_the_reason(client, plain_smtp_server):
    smtp_server = plain_smtp_server
    sign_up(client, ZOE)
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "zoë.test+news@example.com"
    assert subscriber.status == "pending"
    assert "SMTPUTF8" in subscriber.delivery_problem
    assert smtp_server.recipients() == []
