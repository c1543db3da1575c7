"""DOIs: recognise every DOI the DOI Handbook allows, store one normal form, encode it for each output.

A DOI is `10.` + a registrant code (digits, optionally subdivided by dots) + `/` + a suffix of any
printable characters (DOI Handbook 2.2). Crossref's often-quoted pattern covers most modern DOIs but
refuses real ones: older Wiley and Elsevier SICI DOIs contain `<`, `>` and `#`, others `[`, `]` or
non-Latin letters. So the test here is the Handbook's, not Crossref's.
"""

import re
from urllib.parse import quote, unquote

from django.core.exceptions import ValidationError

# The suffix: printable characters, no whitespace and no control characters (the Handbook's "printable").
DOI_PATTERN = re.compile(r"^10\.\d+(?:\.\d+)*/[^\s\x00-\x1f\x7f-\x9f]+$")
_RESOLVER_PREFIX = re.compile(
    r"^(?:doi:\s*|info:doi/|(?:https?://)?(?:www\.)?(?:dx\.)?doi\.org/(?:doi:)?)",
    re.IGNORECASE,
)
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# What must be percent-encoded in a doi.org link (Handbook 2.5.2.4: %, ", #, space, ?, and the
# recommended <, >, {, }, ^, [, ], `, |, \, +); non-ASCII letters go as UTF-8.
_URL_SAFE = "/:;()-._~!$&'*,=@"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

INVALID_DOI_MESSAGE = (
    "“%(value)s” is not a DOI. A DOI looks like 10.15826/recon.2025.11.3.016 "
    "(a https://doi.org/ link or a “doi:” prefix is fine too)."
)


def normalize_doi(value: str) -> str:
    """Return the bare DOI, ASCII letters lower-cased, for a DOI, a `doi:` string or a resolver link.

    DOIs are case-insensitive over ASCII (Handbook 2.4), so one stored case makes the unique constraint
    mean "the same work". A percent-encoded link is decoded, but only when the text is a link or holds
    `%XX` escapes: a literal `%` followed by something else stays. Raises ValidationError when what is
    left is not a DOI.
    """
    raw = (value or "").strip()
    doi = _RESOLVER_PREFIX.sub("", raw).strip()
    if _PERCENT_ESCAPE.search(doi):  # links copied from a browser address bar are percent-encoded
        doi = unquote(doi, errors="strict") if _decodes(doi) else doi
    if not DOI_PATTERN.match(doi):
        raise ValidationError(INVALID_DOI_MESSAGE, code="invalid_doi", params={"value": raw[:200]})
    return doi.translate(_ASCII_LOWER)


def _decodes(text: str) -> bool:
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def doi_url(doi: str) -> str:
    """The https://doi.org/ link of a stored DOI, with the characters a URL cannot carry percent-encoded."""
    return f"https://doi.org/{quote(doi, safe=_URL_SAFE)}" if doi else ""
