"""reex/mail.py: headers on the wire, DKIM signatures checked with dkimpy, and what a failure means."""

import base64
import smtplib

import dkim
import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from reex import mail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def dkim_key():
    """A fresh RSA key and the TXT record a DNS server would publish for it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    txt = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public_der)
    return private_pem, txt


def dns_answer(records: dict[str, bytes]):
    """dkimpy's DNS lookup, answered by the test instead of the network."""

    def lookup(name, timeout=5):
        return records.get(name.decode() if isinstance(name, bytes) else name)

    return lookup


def message(**headers):
    return mail.rendered_email(
        subject="Grüße from the list",
        text="Plain body, with ünïcode.\n",
        html="<p>HTML body</p>",
        to=["Zoë Reader <reader@example.org>"],
        from_email="Rare Earth Exchanges <news@news.example>",
        headers=headers,
    )


@pytest.fixture
def dkim_settings(settings, dkim_key):
    settings.DKIM_SELECTOR = "reex2026"
    settings.DKIM_DOMAIN = "news.example"
    settings.DKIM_PRIVATE_KEY = dkim_key[0]
    return {"reex2026._domainkey.news.example.": dkim_key[1]}


def test_dkim_signature_of_a_received_message_verifies(smtp_server, dkim_settings):
    unsubscribe = "<https://news.example/newsletter/unsubscribe/abc/>, <mailto:news@news.example?subject=unsubscribe>"
    message(**{"List-Unsubscribe": unsubscribe, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}).send()

    (envelope,) = smtp_server.envelopes
    data = envelope["data"]
    assert data.startswith(b"DKIM-Signature: ")
    signature = data.split(b"\r\n\r\n")[0].split(b"DKIM-Signature:")[1]
    assert b"d=news.example" in signature and b"s=reex2026" in signature
    # RFC 8058: the one-click headers are covered by the signature.
    assert b"list-unsubscribe:list-unsubscribe-post" in signature.replace(b"\r\n", b"").replace(b" ", b"").replace(
        b"\t", b""
    )
    assert dkim.verify(data, dnsfunc=dns_answer(dkim_settings)) is True


def test_a_message_altered_after_signing_fails(smtp_server, dkim_settings):
    message().send()
    data = smtp_server.envelopes[0]["data"]

    assert dkim.verify(data, dnsfunc=dns_answer(dkim_settings)) is True
    assert dkim.verify(data.replace(b"Plain body", b"Plain BODY"), dnsfunc=dns_answer(dkim_settings)) is False
    assert dkim.verify(data.replace(b"Subject: ", b"Subject: Re: "), dnsfunc=dns_answer(dkim_settings)) is False
    # Another key published under the selector: the signature does not verify either.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    wrong = b"v=DKIM1; k=rsa; p=" + base64.b64encode(
        other.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert dkim.verify(data, dnsfunc=dns_answer({"reex2026._domainkey.news.example.": wrong})) is False


def test_without_a_key_nothing_is_signed(smtp_server, settings):
    settings.DKIM_SELECTOR = "reex2026"
    settings.DKIM_PRIVATE_KEY = ""
    message().send()
    assert b"DKIM-Signature" not in smtp_server.envelopes[0]["data"]


def test_a_list_header_is_folded_only_after_commas():
    long_url = "https://news.example/" + "x" * 150
    raw = message(**{"List-Unsubscribe": f"<{long_url}>, <mailto:u@news.example?subject=unsubscribe>"}).message(
        policy=mail.email.policy.SMTP
    )
    data = raw.as_bytes()
    header = data.split(b"List-Unsubscribe: ")[1].split(b"\r\nList-", 1)[0].split(b"\r\nDate", 1)[0]
    assert f"<{long_url}>,\r\n <mailto:u@news.example?subject=unsubscribe>".encode() in data, header
    short = message(**{"List-Id": "Digest <daily.news.example>"}).message(policy=mail.email.policy.SMTP).as_bytes()
    assert b"\r\nList-Id: Digest <daily.news.example>\r\n" in short


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"5.1.1 no such user")}), mail.Failure.REFUSED),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (451, b"4.2.1 later")}), mail.Failure.TEMPORARY),
        (smtplib.SMTPDataError(554, b"5.7.1 content refused"), mail.Failure.REJECTED),
        (smtplib.SMTPDataError(452, b"4.3.1 storage"), mail.Failure.TEMPORARY),
        (smtplib.SMTPSenderRefused(550, b"sender", "news@x.org"), mail.Failure.CONNECTION),
        (smtplib.SMTPServerDisconnected("gone"), mail.Failure.CONNECTION),
        (ConnectionRefusedError(111, "refused"), mail.Failure.CONNECTION),
        (mail.SMTPUTF8Unsupported(["zoë@x.org"]), mail.Failure.UNSUPPORTED),
        (AnymailRecipientsRefused("all refused"), mail.Failure.REFUSED),
        (AnymailAPIError("provider down"), mail.Failure.TEMPORARY),
    ],
)
def test_classify_says_what_a_failure_means(exc, kind):
    assert mail.classify(exc).kind is kind


def test_classify_leaves_bugs_alone():
    assert mail.classify(KeyError("template bug")) is None


def test_a_subclass_named_like_anymails_is_not_taken_for_it():
    class AnymailRecipientsRefused(Exception):  # same name, not the type: recognised by type only
        pass

    assert mail.classify(AnymailRecipientsRefused()) is None


def test_a_digest_built_from_its_wire_template_is_signed_and_verifies(smtp_server, dkim_settings):
    from newsletter import services
    from tests.factories import make_article, make_subscriber

    make_subscriber(email="signed@example.org", name="Ann O'Neil")
    make_article(title="Signed digest")
    services.digest_send(digest=services.digest_build())

    (envelope,) = smtp_server.envelopes
    data = envelope["data"]
    assert dkim.verify(data, dnsfunc=dns_answer(dkim_settings)) is True
    assert dkim.verify(data.replace(b"Signed digest", b"Signed DIGEST"), dnsfunc=dns_answer(dkim_settings)) is False
    parsed = smtp_server.messages[0]
    assert parsed["To"] == "Ann O'Neil <signed@example.org>"
    assert parsed.get_body(("plain",)).get_content().count("signed@example.org") == 1
    assert "/newsletter/unsubscribe/" in parsed.get_body(("html",)).get_content()
