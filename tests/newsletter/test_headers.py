"""The List-* headers as the SMTP server receives them: raw bytes, not a parsed message.

Python's email parser decodes RFC 2047 encoded words, so a parsed header looks
right even when mail clients (which look for the raw `<https://...>`) would
not offer one-click unsubscribe. These tests read the DATA bytes from aiosmtpd.
"""

import re

import pytest

from newsletter import services
from newsletter.subscribers import subscriber_send_welcome
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db(transaction=True)

# 200 characters, as long a SITE_URL as the issue asks us to carry.
LONG_SITE_URL = "https://news.rare-earth-exchanges.example/" + "editions/" * 17 + "a" * 5
assert len(LONG_SITE_URL) == 200


def raw_header(data: bytes, name: bytes) -> bytes:
    """The header's raw bytes, folding included (continuation lines start with a space)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    match = re.search(rb"^" + re.escape(name) + rb": .*?\r\n(?! )", head + b"\r\n", re.MULTILINE | re.DOTALL)
    assert match, f"{name!r} missing from {head[:2000]!r}"
    return match.group(0)


def assert_list_headers(data: bytes, *, site_url: str, email: str) -> None:
    unsubscribe = raw_header(data, b"List-Unsubscribe")
    assert b"=?" not in unsubscribe  # no RFC 2047 encoded word
    # Folded only after the comma between the two URIs, never inside one.
    assert re.fullmatch(
        rb"List-Unsubscribe: <(https?://[^<>\s]+)>,(\r\n)? <mailto:([^<>\s]+)\?subject=unsubscribe>\r\n", unsubscribe
    ), unsubscribe
    https_url = re.search(rb"<(https?://[^>]+)>", unsubscribe).group(1).decode()
    assert https_url.startswith(f"{site_url}/newsletter/unsubscribe/")
    assert raw_header(data, b"List-Unsubscribe-Post") == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    list_id = raw_header(data, b"List-Id")
    assert b"=?" not in list_id
    assert (
        list_id.replace(b"\r\n ", b" ")
        == b"List-Id: Rare Earth Exchanges daily digest <daily.news.rare-earth-exchanges.example>\r\n"
    )
    assert email.encode() in b"".join(re.findall(rb"^To: .*$", data, re.MULTILINE))


def test_digest_list_headers_are_raw_on_the_wire_with_a_200_character_site_url(smtp_server, settings):
    settings.SITE_URL = LONG_SITE_URL
    settings.SITE_NAME = "Rare Earth Exchanges"
    reader = make_subscriber(email="reader@example.org")
    make_article(title="Raw headers")
    services.digest_send(digest=services.digest_build())

    (envelope,) = smtp_server.envelopes
    assert envelope["rcpt_tos"] == ["reader@example.org"]
    assert_list_headers(envelope["data"], site_url=LONG_SITE_URL, email=reader.email)
    # The header is longer than a line should be (RFC 5322 "SHOULD" 78), so it was folded at the comma.
    assert b">,\r\n <mailto:" in raw_header(envelope["data"], b"List-Unsubscribe")


def test_welcome_list_headers_are_raw_on_the_wire(smtp_server, settings):
    settings.SITE_URL = LONG_SITE_URL
    settings.SITE_NAME = "Rare Earth Exchanges"
    newcomer = make_subscriber(email="newcomer@example.org", welcome_sent_at=None)

    assert subscriber_send_welcome(subscriber_id=newcomer.pk) is True

    (envelope,) = smtp_server.envelopes
    assert_list_headers(envelope["data"], site_url=LONG_SITE_URL, email=newcomer.email)
