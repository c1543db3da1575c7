"""Look a DOI up at Crossref (`/works/{doi}`) or DataCite (`/dois/{doi}`) and turn the answer into Source fields.

Used by "Fill from DOI" in the Source admin: the fields are filled in the form for the editor to check;
nothing is saved from a look-up. Crossref registers most journal, book and report DOIs; a DOI it does not
know (404) is asked of DataCite, which registers datasets, preprints and many agency reports. Every failure
is a DoiLookupError whose message tells the editor what happened and what to do.
"""

import re
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

from articles.doi import normalize_doi
from articles.source_types import Creator, authors_text

_CROSSREF_KINDS = {
    "journal-article": "journal_article",
    "report": "report",
    "report-component": "report",
    "report-series": "report",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-chapter": "book_chapter",
    "book-section": "book_chapter",
    "book-part": "book_chapter",
    "dataset": "dataset",
    "posted-content": "preprint",
    "dissertation": "thesis",
    "proceedings-article": "conference_paper",
    "standard": "standard",
}
_DATACITE_KINDS = {
    "JournalArticle": "journal_article",
    "Report": "report",
    "Book": "book",
    "BookChapter": "book_chapter",
    "Dataset": "dataset",
    "Preprint": "preprint",
    "Dissertation": "thesis",
    "ConferencePaper": "conference_paper",
    "Standard": "standard",
    "Text": "report",
}
_EVIDENCE = {
    "journal_article": "peer_reviewed",
    "conference_paper": "peer_reviewed",
    "preprint": "preprint",
    "report": "report",
    "dataset": "dataset",
}
# Kinds whose Crossref/DataCite "publisher" is the body that issued the work.
_ISSUED = {"report", "thesis", "standard"}
_TAG = re.compile(r"<[^>]+>")


class DoiLookupError(Exception):
    """A look-up that gave no record; str() is the message for the editor."""


class _NotFound(Exception):
    pass


def _text(value) -> str:
    """One line of plain text: Crossref titles may carry JATS/HTML markup (<i>, <sub>)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(_TAG.sub("", str(value or "")).split())


def _user_agent() -> str:
    mailto = f"; mailto:{settings.DOI_LOOKUP_MAILTO}" if settings.DOI_LOOKUP_MAILTO else ""
    return f"Reex/1.0 ({settings.SITE_URL}{mailto})"


def _get(service: str, url: str) -> dict:
    params = {"mailto": settings.DOI_LOOKUP_MAILTO} if settings.DOI_LOOKUP_MAILTO else {}
    try:
        response = requests.get(
            url,
            params=params,
            headers={"User-Agent": _user_agent(), "Accept": "application/json"},
            timeout=settings.DOI_LOOKUP_TIMEOUT_SECONDS,
        )
    except requests.Timeout as exc:
        raise DoiLookupError(
            f"{service} did not answer within {settings.DOI_LOOKUP_TIMEOUT_SECONDS} seconds. "
            "Try again in a moment, or fill the fields by hand."
        ) from exc
    except requests.RequestException as exc:
        raise DoiLookupError(f"{service} could not be reached. Try again later, or fill the fields by hand.") from exc
    if response.status_code == 404:
        raise _NotFound
    if response.status_code == 429:
        raise DoiLookupError(
            f"{service} is limiting how often we may ask (too many requests). Wait a minute and try again."
        )
    if response.status_code != 200:
        raise DoiLookupError(
            f"{service} answered with an error (HTTP {response.status_code}). Try again later, "
            "or fill the fields by hand."
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise DoiLookupError(
            f"{service} sent an answer that could not be read (not valid JSON). Try again later, "
            "or fill the fields by hand."
        ) from exc
    if not isinstance(data, dict):
        raise DoiLookupError(f"{service} sent an answer in an unexpected shape. Fill the fields by hand.")
    return data


def _fields(kind: str, creators: list[Creator], publisher: str, **rest) -> dict:
    issued = kind in _ISSUED
    fields = {
        "kind": kind,
        "authors": authors_text(creators),
        "publisher": "" if issued else publisher,
        "institution": publisher if issued else "",
        "evidence": _EVIDENCE.get(kind, "other"),
        **rest,
    }
    return {k: (v if v is not None else "") for k, v in fields.items()}


def _crossref_fields(doi: str, message: dict) -> dict:
    kind = _CROSSREF_KINDS.get(message.get("type", ""), "report")
    if kind == "preprint" and message.get("subtype") not in (None, "preprint"):
        kind = "report"
    creators = []
    for person in message.get("author") or []:
        if person.get("family"):
            creators.append(Creator(family=_text(person["family"]), given=_text(person.get("given", ""))))
        elif person.get("name"):
            creators.append(Creator(organisation=_text(person["name"])))
    parts = (message.get("issued") or message.get("published") or {}).get("date-parts") or [[None]]
    container = message.get("container-title") or []
    return _fields(
        kind,
        creators,
        _text(message.get("publisher")),
        title=_text(message.get("title")),
        container=_text(container),
        year=parts[0][0] if parts and parts[0] else "",
        volume=_text(message.get("volume")),
        issue=_text(message.get("issue")),
        pages=_text(message.get("page")).replace("-", "–"),
        doi=doi,
    )


def _datacite_fields(doi: str, attributes: dict) -> dict:
    types = attributes.get("types") or {}
    kind = _DATACITE_KINDS.get(types.get("resourceTypeGeneral", ""), "dataset")
    creators = []
    for creator in attributes.get("creators") or []:
        name = _text(creator.get("name"))
        if creator.get("familyName") and creator.get("nameType") != "Organizational":
            creators.append(Creator(family=_text(creator["familyName"]), given=_text(creator.get("givenName"))))
        elif "," in name and creator.get("nameType") != "Organizational":
            family, given = name.split(",", 1)
            creators.append(Creator(family=family.strip(), given=given.strip()))
        elif name:
            creators.append(Creator(organisation=name))
    titles = attributes.get("titles") or [{}]
    publisher = attributes.get("publisher")
    if isinstance(publisher, dict):
        publisher = publisher.get("name", "")
    container = attributes.get("container") or {}
    return _fields(
        kind,
        creators,
        _text(publisher),
        title=_text(titles[0].get("title", "")),
        container=_text(container.get("title", "")),
        year=int(attributes["publicationYear"]) if str(attributes.get("publicationYear", "")).isdigit() else "",
        volume=_text(container.get("volume")),
        issue=_text(container.get("issue")),
        pages="",
        doi=doi,
    )


def doi_lookup(*, doi: str) -> tuple[str, dict]:
    """(name of the service that answered, Source fields) for a DOI; raises DoiLookupError."""
    try:
        doi = normalize_doi(doi)
    except ValidationError as exc:
        raise DoiLookupError(exc.messages[0]) from exc
    path = quote(doi, safe="/")
    try:
        data = _get("Crossref", f"{settings.DOI_CROSSREF_API_URL}/works/{path}")
        if not isinstance(data.get("message"), dict):
            raise DoiLookupError("Crossref sent an answer in an unexpected shape. Fill the fields by hand.")
        return "Crossref", _crossref_fields(doi, data["message"])
    except _NotFound:
        pass
    try:
        data = _get("DataCite", f"{settings.DOI_DATACITE_API_URL}/dois/{path}")
    except _NotFound:
        raise DoiLookupError(
            f"No record of {doi} at Crossref or DataCite. Check the DOI (copy it from the work's page), "
            "or fill the fields by hand."
        ) from None
    attributes = (data.get("data") or {}).get("attributes") if isinstance(data.get("data"), dict) else None
    if not isinstance(attributes, dict):
        raise DoiLookupError("DataCite sent an answer in an unexpected shape. Fill the fields by hand.")
    return "DataCite", _datacite_fields(doi, attributes)
