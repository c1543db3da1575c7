"""The paste-in parsers: a BibTeX or RIS entry pasted into the Source form, read into its fields."""

import logging
import re

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from django.core.exceptions import ValidationError
from pylatexenc.latex2text import LatexNodes2Text

from articles.doi import normalize_doi
from articles.source_types import (
    Creator,
    authors_text,
    kind_from_bibtex,
    kind_from_ris,
    kind_mapping,
)

logger = logging.getLogger(__name__)

# --- Paste-in parsers ---------------------------------------------------------------------------------

_EVIDENCE_OF_KIND = {
    "journal_article": "peer_reviewed",
    "conference_paper": "peer_reviewed",
    "preprint": "preprint",
    "report": "report",
    "dataset": "dataset",
}


def _year(value) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|2\d\d\d)\b", str(value or ""))
    return int(match.group(1)) if match else None


def _person_from_text(name: str) -> Creator:
    name = " ".join(name.split())
    if "," in name:
        family, given = name.split(",", 1)
        return Creator(family=family.strip(), given=given.strip())
    if " " not in name:
        return Creator(family=name)
    given, family = name.rsplit(" ", 1)  # "Given Family"
    return Creator(family=family, given=given)


def _split_bibtex_names(raw: str) -> list[str]:
    """Split a raw BibTeX author list on " and " outside braces."""
    names, depth, current, i = [], 0, "", 0
    while i < len(raw):
        ch = raw[i]
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and re.match(r"\s+and\s+", raw[i:]) and (i == 0 or raw[i].isspace()):
            names.append(current)
            current = ""
            i += re.match(r"\s+and\s+", raw[i:]).end()
            continue
        current += ch
        i += 1
    names.append(current)
    return [n.strip() for n in names if n.strip()]


def _bibtex_creators(raw: str) -> list[Creator]:
    decode = LatexNodes2Text().latex_to_text
    creators = []
    for name in _split_bibtex_names(raw):
        if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
            creators.append(Creator(organisation=" ".join(decode(name[1:-1]).split())))
        else:
            creators.append(_person_from_text(decode(name)))
    return creators


def _clean_fields(fields: dict) -> dict:
    """Normalise the parsed fields; a DOI that does not validate is an error, not silently dropped."""
    if fields.get("doi"):
        try:
            fields["doi"] = normalize_doi(fields["doi"])
        except ValidationError as exc:
            raise ValidationError(f"The entry's DOI is not valid: {exc.messages[0]}", code="invalid") from exc
    if not fields.get("title"):
        raise ValidationError("The entry has no title.", code="invalid")
    for key in ("title", "container", "publisher", "institution", "volume", "issue", "pages", "url"):
        fields[key] = " ".join(str(fields.get(key) or "").split())
    fields["evidence"] = _EVIDENCE_OF_KIND.get(fields["kind"], "other")
    return fields


def source_fields_from_bibtex(text: str) -> dict:
    """Source fields from one pasted BibTeX entry. Raises ValidationError when it cannot be read."""
    if not (text or "").strip():
        raise ValidationError("Paste a BibTeX entry, starting with @article{ or similar.", code="empty")
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    if library.failed_blocks:
        raise ValidationError(
            "This BibTeX entry could not be read (check the braces and commas): %(detail)s",
            code="invalid",
            params={"detail": str(library.failed_blocks[0].error)[:200]},
        )
    if not library.entries:
        raise ValidationError("No BibTeX entry found. An entry starts with @article{key, …}.", code="invalid")
    entry = library.entries[0]
    raw_entry = bibtexparser.parse_string(text).entries[0]  # undecoded: braces mark organisation authors
    raw = {key.lower(): str(field.value).strip() for key, field in entry.fields_dict.items()}
    verbatim = {key.lower(): str(field.value).strip() for key, field in raw_entry.fields_dict.items()}
    kind = kind_from_bibtex(entry.entry_type, raw)
    mapping = kind_mapping(kind)
    url = verbatim.get("url", "")
    container = raw.get(mapping.bibtex_container) or raw.get("journal") or raw.get("journaltitle")
    container = container or raw.get("booktitle") or raw.get("series", "")
    if kind == "web_page":
        container = raw.get("organization") or container
    institution = raw.get("institution") or raw.get("school") or (raw.get("organization") if kind != "web_page" else "")
    publisher = raw.get("publisher", "")
    if kind in ("report", "thesis", "standard", "legislation") and not institution:
        institution, publisher = publisher, ""
    return _clean_fields(
        {
            "kind": kind,
            "authors": authors_text(_bibtex_creators(verbatim.get("author", ""))),
            "year": _year(raw.get("year") or raw.get("date")),
            "title": raw.get("title", ""),
            "container": container,
            "publisher": publisher,
            "institution": institution,
            "volume": raw.get("volume", ""),
            "issue": raw.get("number") or raw.get("issue", ""),
            "pages": raw.get("pages", "").replace("--", "–"),
            "doi": verbatim.get("doi", ""),
            "url": url if url.startswith(("http://", "https://")) and "doi.org/" not in url else "",
            "citation_key": entry.key[:100],
        }
    )


def source_fields_from_ris(text: str) -> dict:
    """Source fields from one pasted RIS record. Raises ValidationError when it cannot be read."""
    if not (text or "").strip():
        raise ValidationError("Paste a RIS record, starting with “TY  - ” and ending with “ER  - ”.", code="empty")
    try:
        records = rispy.loads(text.replace("\r\n", "\n"))
    except Exception as exc:  # rispy raises plain IOError/ValueError subclasses for broken records
        raise ValidationError(
            "This RIS record could not be read: %(detail)s", code="invalid", params={"detail": str(exc)[:200]}
        ) from exc
    if not records:
        raise ValidationError(
            "No RIS record found. A record starts with “TY  - JOUR” and ends with “ER  - ”, one tag per line.",
            code="invalid",
        )
    rec = records[0]
    kind = kind_from_ris(rec.get("type_of_reference", ""))
    names = rec.get("authors") or rec.get("first_authors") or []
    # RIS has no organisation mark; a name without a comma is an organisation, as Zotero writes them.
    creators = [
        _person_from_text(n) if "," in n else Creator(organisation=" ".join(n.split())) for n in names if n.strip()
    ]
    start, end = rec.get("start_page", ""), rec.get("end_page", "")
    urls = rec.get("urls") or []
    doi = rec.get("doi", "") or next((u for u in urls if "doi.org/" in u), "")
    publisher = rec.get("publisher", "")
    institution = ""
    if kind in ("report", "thesis", "standard", "legislation"):
        institution, publisher = publisher, ""
    return _clean_fields(
        {
            "kind": kind,
            "authors": authors_text(creators),
            "year": _year(rec.get("year") or rec.get("publication_year") or rec.get("date")),
            "title": rec.get("title") or rec.get("primary_title", ""),
            "container": rec.get("secondary_title") or rec.get("journal_name") or rec.get("alternate_title3", ""),
            "publisher": publisher,
            "institution": institution,
            "volume": rec.get("volume", ""),
            "issue": rec.get("number", ""),
            "pages": f"{start}–{end}" if start and end else start,
            "doi": doi,
            "url": next((u for u in urls if u.startswith(("http://", "https://")) and "doi.org/" not in u), ""),
        }
    )
