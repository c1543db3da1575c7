"""Email addresses as the newsletter stores and compares them, international ones included.

An address is kept in one spelling, so that the variants a person (or a
keyboard, or a copy from a PDF) may type all land on the same subscriber:

* Unicode NFKC: composed and decomposed accents ("Zoë" typed as e + U+0308),
  fullwidth letters and other compatibility look-alikes become one form;
* lower case for the local part (mailbox providers treat it case-blind);
* the domain in IDNA (UTS 46), the ASCII form DNS uses: `bücher.example`
  is stored as `xn--bcher-kva.example`, and `BÜCHER.example` is the same.

A non-ASCII local part (RFC 6531) is valid; it can only be delivered through a
server that offers SMTPUTF8 (reex/mail.py decides that per message).
"""

import re
import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

INVALID_MESSAGE = "Please enter a valid email address, like name@example.com."
# RFC 5322 atext plus the dot; any other non-ASCII character is checked by category below.
_ASCII_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]$")


def _idna_domain(domain: str) -> str:
    """The domain in IDNA; raises idna.IDNAError (a UnicodeError) when it is not a valid host name."""
    return idna.encode(domain, uts46=True).decode("ascii").lower()


def normalise_email(email: str) -> str:
    """The one spelling of an address we store and compare (see the module docstring).

    Never raises: an address that cannot be normalised is returned lower-cased,
    for `validate_address` to refuse.
    """
    email = unicodedata.normalize("NFKC", email or "").strip()
    local, at, domain = email.rpartition("@")
    if not at:
        return email.lower()
    try:
        domain = _idna_domain(domain)
    except UnicodeError:
        domain = domain.lower()
    return f"{local.lower()}@{domain}"


def _local_char_ok(ch: str) -> bool:
    if ch.isascii():
        return bool(_ASCII_ATEXT.match(ch))
    # RFC 6531: any UTF-8 character except controls, spaces and separators; we also keep out
    # symbols and format characters (invisible joiners are how look-alike addresses are made).
    return unicodedata.category(ch)[0] in ("L", "M", "N")


def validate_address(value: str) -> None:
    """Raise ValidationError unless `value` is a deliverable address (ASCII or international)."""
    email = normalise_email(value)
    local, at, domain = email.rpartition("@")
    if not at or not local or len(email.encode()) > 254 or len(local.encode()) > 64:
        raise ValidationError(INVALID_MESSAGE, code="invalid")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise ValidationError(INVALID_MESSAGE, code="invalid")
    if not all(_local_char_ok(ch) for ch in local):
        raise ValidationError(INVALID_MESSAGE, code="invalid")
    try:
        ascii_domain = _idna_domain(domain)
    except UnicodeError:
        raise ValidationError(INVALID_MESSAGE, code="invalid") from None
    # Django's validator knows the domain rules (labels, TLD, IP literals); the local part was
    # checked above, so give it a stand-in of the same shape.
    stand_in = "".join(ch if ch.isascii() else "x" for ch in local)
    try:
        validate_email(f"{stand_in}@{ascii_domain}")
    except ValidationError:
        raise ValidationError(INVALID_MESSAGE, code="invalid") from None


def needs_smtputf8(email: str) -> bool:
    """Whether this (normalised) address can only travel over SMTPUTF8: a non-ASCII local part."""
    return not email.rpartition("@")[0].isascii()
