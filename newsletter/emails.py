"""Building the newsletter's emails: confirmation, welcome and the daily digest.

Every email links to the subscriber's management page and carries the RFC
2369/8058 one-click unsubscribe headers (written raw on the wire by
reex/mail.py). Each has a text and an HTML part rendered from
templates/newsletter/email/.

The digest is rendered once per digest, with slots where each reader's own
address and links go (`digest_rendering`); each copy only fills the slots in.
Rendering per copy cost about 25 ms of CPU, the whole budget of a fast send.
"""

from collections import OrderedDict
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from threading import Lock
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from newsletter import tokens
from newsletter.models import Digest, Subscriber
from reex import mail


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def unsubscribe_mailto() -> str:
    return settings.NEWSLETTER_UNSUBSCRIBE_MAILTO or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _recipient(subscriber: Subscriber) -> str:
    if subscriber.name:
        return str(Address(display_name=subscriber.name, addr_spec=subscriber.email))
    return subscriber.email


def subscriber_links(subscriber: Subscriber) -> dict[str, str]:
    token = tokens.manage_token(subscriber)
    return {
        "manage_url": absolute(reverse("newsletter:manage", kwargs={"token": token})),
        "unsubscribe_url": absolute(reverse("newsletter:unsubscribe", kwargs={"token": token})),
    }


def list_headers(*, unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 + RFC 8058 + RFC 2919: mail clients show an "Unsubscribe" button that POSTs to the HTTPS URL."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>, <mailto:{unsubscribe_mailto()}?subject=unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} daily digest <daily.{mail_domain()}>",
        "List-Archive": f"<{absolute(reverse('newsletter:archive'))}>",
    }


def _context(*, subject: str, subscriber: Subscriber, links: dict, context: dict) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_URL": settings.SITE_URL,
        "subscriber": subscriber,
        "subject": subject,
        **links,
        **context,
    }


def _build(*, template: str, subject: str, subscriber: Subscriber, context: dict, list_mail: bool = False):
    links = subscriber_links(subscriber)
    return mail.templated_email(
        template=f"newsletter/email/{template}",
        subject=subject,
        to=[_recipient(subscriber)],
        context=_context(subject=subject, subscriber=subscriber, links=links, context=context),
        headers=list_headers(unsubscribe_url=links["unsubscribe_url"]) if list_mail else None,
    )


def confirmation_message(subscriber: Subscriber):
    url = absolute(reverse("newsletter:confirm", kwargs={"token": tokens.confirm_token(subscriber)}))
    return _build(
        template="confirmation",
        subject=f"Please confirm your subscription to {settings.SITE_NAME}",
        subscriber=subscriber,
        context={"confirm_url": url, "expiry_hours": settings.NEWSLETTER_CONFIRMATION_MAX_AGE_HOURS},
    )


def welcome_message(subscriber: Subscriber):
    return _build(
        template="welcome",
        subject=f"Welcome to the {settings.SITE_NAME} daily digest",
        subscriber=subscriber,
        context={"archive_url": absolute(reverse("newsletter:archive"))},
        list_mail=True,
    )


def digest_context(digest: Digest, articles=None) -> dict:
    """What every copy of a digest shares (also the archive page's context)."""
    articles = digest.ordered_articles() if articles is None else articles
    return {
        "digest": digest,
        "articles": [
            {"article": article, "url": absolute(article.get_absolute_url()), "section": article.section}
            for article in articles
        ],
        "web_url": absolute(digest.get_absolute_url()),
    }


# Slots the one rendering leaves for each reader: plain ASCII words that no template escapes or wraps.
_EMAIL_SLOT = "reexslot-subscriber-email@slot.invalid"
_MANAGE_SLOT = "https://reexslot.invalid/manage-url"
_UNSUBSCRIBE_SLOT = "https://reexslot.invalid/unsubscribe-url"


_TO_SLOT = "reexslot-to@slot.invalid"
_MESSAGE_ID_SLOT = "<reexslot-message-id@slot.invalid>"
# Long enough that the header template is always folded at its comma, as every real copy is.
_HEADER_UNSUBSCRIBE_SLOT = "https://reexslot.invalid/" + "u" * 300


@dataclass(frozen=True)
class DigestRendering:
    """A digest rendered once; `digest_message` fills in one reader."""

    digest_id: int
    subject: str
    text: str
    html: str
    wire: mail.WireTemplate


_renderings: OrderedDict = OrderedDict()
_renderings_lock = Lock()


def digest_rendering(digest: Digest) -> DigestRendering:
    """The digest rendered once, reused until the digest, its articles or the site settings change.

    One query (the articles) per call; the templates run only on a cache miss.
    """
    articles = digest.ordered_articles()
    key = (
        digest.pk,
        digest.subject,
        digest.editor_note,
        settings.SITE_URL,
        settings.SITE_NAME,
        tuple((a.pk, a.updated_at) for a in articles),
    )
    with _renderings_lock:
        cached = _renderings.get(key)
    if cached is not None:
        return cached
    reader = Subscriber(pk=0, email=_EMAIL_SLOT, name="", status=Subscriber.Status.CONFIRMED)
    links = {"manage_url": _MANAGE_SLOT, "unsubscribe_url": _UNSUBSCRIBE_SLOT}
    context = _context(subject=digest.subject, subscriber=reader, links=links, context=digest_context(digest, articles))
    headers = {**list_headers(unsubscribe_url=_HEADER_UNSUBSCRIBE_SLOT), "Message-ID": _MESSAGE_ID_SLOT}
    rendering = DigestRendering(
        digest_id=digest.pk,
        subject=digest.subject,
        text=render_to_string("newsletter/email/digest.txt", context),
        html=render_to_string("newsletter/email/digest.html", context),
        wire=mail.wire_template(subject=digest.subject, to_slot=_TO_SLOT, headers=headers),
    )
    with _renderings_lock:
        _renderings[key] = rendering
        while len(_renderings) > 8:
            _renderings.popitem(last=False)
    return rendering


def _fill(body: str, values: dict[str, str], *, html: bool) -> str:
    for slot, value in values.items():
        body = body.replace(slot, escape(value) if html else value)
    return body


def digest_message(rendering: DigestRendering, subscriber: Subscriber, *, message_id: str = ""):
    """One reader's copy of a rendered digest: their address and links, the list headers, a stable Message-ID."""
    links = subscriber_links(subscriber)
    values = {
        _EMAIL_SLOT: subscriber.email,
        _MANAGE_SLOT: links["manage_url"],
        _UNSUBSCRIBE_SLOT: links["unsubscribe_url"],
    }
    headers = list_headers(unsubscribe_url=links["unsubscribe_url"])
    if message_id:
        headers["Message-ID"] = message_id
    text, html = _fill(rendering.text, values, html=False), _fill(rendering.html, values, html=True)
    message = mail.PrebuiltEmail(subject=rendering.subject, body=text, to=[_recipient(subscriber)], headers=headers)
    message.attach_alternative(html, "text/html")
    if message_id and _plain_ascii(subscriber):
        # The common case: headers from the per-digest template, only this reader's values filled in.
        message.wire = rendering.wire.fill(
            slots={
                _TO_SLOT.encode(): _recipient(subscriber).encode(),
                _MESSAGE_ID_SLOT.encode(): message_id.encode(),
                _HEADER_UNSUBSCRIBE_SLOT.encode(): links["unsubscribe_url"].encode(),
            },
            text=text,
            html=html,
        )
    return message


def _plain_ascii(subscriber: Subscriber) -> bool:
    """Whether the To: header needs no encoding: an ASCII address and an ASCII, printable (or no) name."""
    return subscriber.email.isascii() and subscriber.name.isascii() and subscriber.name.isprintable()


def delivery_message_id(*, digest_id: int, subscriber_id: int) -> str:
    """Stable per (digest, subscriber): a resend after a crash carries the same id, so mail systems can dedupe it."""
    return f"<digest-{digest_id}-{subscriber_id}@{mail_domain()}>"
