"""Email for every app: one way to build a templated message, send it correctly, and read a failure.

* `templated_email` renders `<template>.txt` and `<template>.html` into one
  multipart/alternative message (`rendered_email` takes bodies rendered once
  and reused, as the digest does).
* The `List-*` headers (RFC 2369, RFC 2919, RFC 8058) go out as mail clients
  read them: raw `<https://...>, <mailto:...>`, folded only after a comma.
  Python's email package would turn a long URL into an RFC 2047 encoded word,
  which clients do not decode, and the one-click unsubscribe button vanishes.
* `SMTPBackend` (Django's SMTP backend, extended) sends an address with a
  non-ASCII local part over SMTPUTF8 when the server offers it, and raises
  `SMTPUTF8Unsupported` when it does not; IDN domains go out as IDNA either way.
  It signs every message with DKIM when DKIM_SELECTOR and DKIM_PRIVATE_KEY are
  set (dkimpy; docs/newsletter.md explains SPF, DKIM and DMARC).
* `classify` is the one place that says what an SMTP (or anymail) failure
  means: retry later, the mailbox refused it for good, the message was
  refused, the address needs SMTPUTF8, or the connection is gone.

This module is infrastructure: it imports no app.
"""

import binascii
import datetime
import email.policy
import email.utils
import enum
import functools
import logging
import re
import smtplib
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.utils import parseaddr

import dkim
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.template.loader import render_to_string

try:  # an optional provider integration; recognised by type when installed
    from anymail.exceptions import AnymailError, AnymailRecipientsRefused
except ImportError:  # pragma: no cover
    AnymailError = AnymailRecipientsRefused = None

logger = logging.getLogger(__name__)

# Headers whose values are URLs or ids in angle brackets: never RFC 2047-encoded, folded only at commas.
RAW_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "List-Archive", "List-Help", "List-Post")
# What the DKIM signature covers. RFC 8058 requires List-Unsubscribe(-Post) to be signed; listing a
# header the message lacks is harmless and stops anyone adding it later ("over-signing").
DKIM_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"list-id",
)


class _CommaFoldedHeader(UnstructuredHeader):
    """A header written as given, folded only after ", " (where RFC 2369 allows whitespace)."""

    def fold(self, *, policy):
        text = str(self)
        if not text.isascii() and not policy.utf8:
            return super().fold(policy=policy)  # only encoded words can carry it
        limit = policy.max_line_length or 998
        parts = text.split(", ")
        lines, line = [], f"{self.name}:"
        for index, part in enumerate(parts):
            piece = part + ("," if index < len(parts) - 1 else "")
            if index and len(line) + 1 + len(piece) > limit:
                lines.append(line)
                line = ""
            line += " " + piece
        lines.append(line)
        return policy.linesep.join(lines) + policy.linesep


@functools.cache
def _wire_policy(policy):
    """`policy` with the raw-header rule added (cached: the backends pass the same few policies)."""
    registry = HeaderRegistry()
    for name in RAW_HEADERS:
        registry.map_to_type(name.lower(), _CommaFoldedHeader)
    return policy.clone(header_factory=registry)


class TemplatedEmail(EmailMultiAlternatives):
    """A multipart/alternative message whose List-* headers are written as mail clients read them."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=_wire_policy(policy))


class _WireBytes:
    """Stands in for an email.message.Message whose bytes are already written (PrebuiltEmail)."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, *args, **kwargs) -> bytes:
        return self.data

    def as_string(self, *args, **kwargs) -> str:
        return self.data.decode("utf-8", "replace")


class PrebuiltEmail(TemplatedEmail):
    """A message whose wire bytes were assembled by the caller (`wire_template`), e.g. one copy of a digest.

    Python's email package spends about 4 ms of CPU per message parsing and
    folding headers it was handed as text; a digest sends the same headers and
    parts to everyone, so it builds them once and fills in each reader.
    `body`/`alternatives` stay set, so every backend (locmem, console,
    anymail) still sees a normal message.
    """

    wire: bytes = b""

    def message(self, *, policy=email.policy.default):
        if not self.wire:
            return super().message(policy=policy)
        return _WireBytes(self.wire)


@dataclass(frozen=True)
class WireTemplate:
    """Headers written once, with slots; bodies encoded per copy (quoted-printable, in C)."""

    head: bytes  # the top-level headers up to and including the blank line, slots inside
    boundary: bytes

    def fill(self, *, slots: dict[bytes, bytes], text: str, html: str) -> bytes:
        head = self.head
        for slot, value in slots.items():
            head = head.replace(slot, value)
        date = email.utils.format_datetime(datetime.datetime.now(datetime.UTC)).encode()
        head = head.replace(_DATE_SLOT, date)
        parts = []
        for subtype, body in (("plain", text), ("html", html)):
            encoded = binascii.b2a_qp(body.replace("\r\n", "\n").replace("\n", "\r\n").encode(), istext=True)
            parts.append(
                b"--" + self.boundary + b"\r\nContent-Type: text/" + subtype.encode() + b'; charset="utf-8"\r\n'
                b"Content-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\n\r\n" + encoded + b"\r\n"
            )
        return head + b"".join(parts) + b"--" + self.boundary + b"--\r\n"


_DATE_SLOT = b"Thu, 01 Jan 1970 00:00:00 -0000"


def wire_template(*, subject: str, to_slot: str, headers: dict, from_email: str | None = None) -> WireTemplate:
    """Headers for many copies of one message, written once by Python's email package (so encoded
    and folded correctly), with the per-copy values left as slots (ASCII strings the caller replaces).
    """
    sample = TemplatedEmail(subject=subject, body="x", to=[to_slot], from_email=from_email, headers=headers)
    sample.attach_alternative("<p>x</p>", "text/html")
    msg = sample.message(policy=email.policy.SMTP)
    msg.replace_header("Date", _DATE_SLOT.decode())
    head = msg.as_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    boundary = re.search(rb'boundary="([^"]+)"', head).group(1)
    return WireTemplate(head=head, boundary=boundary)


def rendered_email(
    *,
    subject: str,
    text: str,
    html: str,
    to: list[str],
    headers: dict | None = None,
    from_email: str | None = None,
) -> TemplatedEmail:
    """A message from bodies already rendered (the digest renders once and fills in each reader's links)."""
    message = TemplatedEmail(subject=subject, body=text, to=to, headers=headers or {}, from_email=from_email)
    message.attach_alternative(html, "text/html")
    return message


def templated_email(
    *,
    template: str,
    subject: str,
    to: list[str],
    context: dict,
    headers: dict | None = None,
    from_email: str | None = None,
) -> TemplatedEmail:
    """Render `<template>.txt` and `<template>.html` (e.g. "comments/email/reply_notice") into one message."""
    return rendered_email(
        subject=subject,
        text=render_to_string(f"{template}.txt", context),
        html=render_to_string(f"{template}.html", context),
        to=to,
        headers=headers,
        from_email=from_email,
    )


# --- On the wire -------------------------------------------------------------------------


def dkim_domain() -> str:
    return settings.DKIM_DOMAIN or parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]


def dkim_sign(data: bytes) -> bytes:
    """`data` with a DKIM-Signature header in front, or unchanged when DKIM is not configured."""
    if not (settings.DKIM_SELECTOR and settings.DKIM_PRIVATE_KEY):
        return data
    signature = dkim.sign(
        data,
        settings.DKIM_SELECTOR.encode(),
        dkim_domain().encode("idna"),
        settings.DKIM_PRIVATE_KEY.encode(),
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=list(DKIM_HEADERS),
    )
    return signature + data


class SMTPUTF8Unsupported(smtplib.SMTPNotSupportedError):
    """The address has a non-ASCII local part and the server does not offer SMTPUTF8 (RFC 6531)."""

    def __init__(self, addresses):
        self.addresses = list(addresses)
        super().__init__(f"the mail server does not offer SMTPUTF8, needed for {', '.join(self.addresses)}")


def _local_part_is_ascii(addr_spec: str) -> bool:
    return addr_spec.rpartition("@")[0].isascii()


class SMTPBackend(DjangoSMTPBackend):
    """Django's SMTP backend plus SMTPUTF8 when an address needs it, and DKIM signing."""

    def _send(self, email_message):
        recipients = email_message.recipients()
        if not recipients:
            return False
        specs = [self.prep_address(a, force_ascii=False) for a in (email_message.from_email, *recipients)]
        international = [spec for spec in specs if not _local_part_is_ascii(spec)]
        if international:
            self.connection.ehlo_or_helo_if_needed()
            if not self.connection.has_extn("smtputf8"):
                raise SMTPUTF8Unsupported(international)
            policy, options = email.policy.SMTPUTF8, ["SMTPUTF8"]
        else:
            # IDN domains become IDNA (xn--...), which every server accepts.
            specs = [self.prep_address(a) for a in (email_message.from_email, *recipients)]
            policy, options = email.policy.SMTP, []
        data = dkim_sign(email_message.message(policy=policy).as_bytes())
        self.connection.sendmail(specs[0], specs[1:], data, mail_options=options)
        return True


# --- What a failure means ----------------------------------------------------------------


class Failure(enum.StrEnum):
    TEMPORARY = "temporary"  # try this message again later (4xx)
    REFUSED = "refused"  # the mailbox refused it for good (5xx to RCPT, a provider's rejection): suppress
    REJECTED = "rejected"  # the server refused this message's content for good; the address is fine
    UNSUPPORTED = "unsupported"  # the address needs SMTPUTF8, which this server lacks; keep the subscriber
    CONNECTION = "connection"  # no answer about this recipient: the connection or our sender failed


@dataclass(frozen=True)
class SendFailure:
    kind: Failure
    detail: str
    code: int = 0

    @property
    def connection_lost(self) -> bool:
        """Whether messages after this one on the same connection cannot go out either."""
        return self.kind is Failure.CONNECTION


def classify(exc: BaseException) -> SendFailure | None:
    """What an exception raised while sending means, or None if it is not a sending failure (a bug)."""
    if isinstance(exc, SMTPUTF8Unsupported):
        return SendFailure(Failure.UNSUPPORTED, str(exc)[:500])
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        code = max(codes) if codes else 0
        kind = Failure.REFUSED if code >= 500 else Failure.TEMPORARY
        return SendFailure(kind, f"{code} {exc.recipients}"[:500], code)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # Our sender address is refused: not the recipient's fault, and the next message fares no better.
        return SendFailure(Failure.CONNECTION, f"sender refused: {exc.smtp_code} {exc.smtp_error!r}"[:500])
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError)):
        return SendFailure(Failure.CONNECTION, f"connection: {exc!r}"[:500])
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {exc.smtp_error!r}"[:500]
        kind = Failure.REJECTED if exc.smtp_code >= 500 else Failure.TEMPORARY
        return SendFailure(kind, detail, exc.smtp_code)
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        return SendFailure(Failure.CONNECTION, f"connection: {exc!r}"[:500])
    if AnymailRecipientsRefused is not None and isinstance(exc, AnymailRecipientsRefused):
        return SendFailure(Failure.REFUSED, repr(exc)[:500])
    if AnymailError is not None and isinstance(exc, AnymailError):
        return SendFailure(Failure.TEMPORARY, repr(exc)[:500])
    return None


def send(message, *, using=None) -> SendFailure | None:
    """Send one message. Returns None when the server accepted it, else what went wrong.

    Exceptions that are not sending failures (a template bug) propagate.
    """
    try:
        message.send(using=using)
    except Exception as exc:
        failure = classify(exc)
        if failure is None:
            raise
        logger.warning("mail: %s to %s not sent (%s): %s", message.subject, message.to, failure.kind, failure.detail)
        return failure
    return None
