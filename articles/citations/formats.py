"""BibTeX, RIS and CSL-JSON downloads, written from the CSL-JSON item, and their file names (RFC 6266)."""

import json
import logging
import re
from urllib.parse import quote

from anyascii import anyascii

from articles.citations.items import article_csl_json, source_csl_json
from articles.source_types import (
    KINDS,
    kind_mapping,
)

logger = logging.getLogger(__name__)


def article_export(article, extension: str) -> tuple[str, str]:
    """(body, Content-Disposition) of the brief's citation as BibTeX, RIS or CSL-JSON."""
    item = article_csl_json(article)
    body = {"bib": csl_to_bibtex, "ris": csl_to_ris}.get(extension)
    text = body(item) if body else json.dumps([item], ensure_ascii=False, indent=2)
    authors = item["author"]
    first = (authors[0].get("family") or authors[0].get("literal")) if authors else "brief"
    year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
    return text, content_disposition(citation_filename_stem(first, year), extension)


# --- BibTeX and RIS, written from the CSL-JSON item ----------------------------------------------------

_CSL_TO_KIND = {mapping.csl: kind for kind, mapping in KINDS.items()}
_LATEX_SPECIAL = str.maketrans({"&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$", "_": r"\_"})


def _bibtex_text(value) -> str:
    # Braces delimit BibTeX values: unbalanced ones in a title would break the entry. LaTeX specials
    # are escaped so LaTeX prints them; the paste-in parser decodes them back.
    return str(value).replace("{", "").replace("}", "").translate(_LATEX_SPECIAL)


def _bibtex_name(name: dict) -> str:
    if "literal" in name:
        # Double braces: one name, never split into given and family ("{U.S. Geological Survey}").
        return "{" + _bibtex_text(name["literal"]) + "}"
    return f"{_bibtex_text(name['family'])}, {_bibtex_text(name['given'])}"


def csl_to_bibtex(item: dict) -> str:
    kind = _CSL_TO_KIND.get(item["type"], "web_page")
    mapping = kind_mapping(kind)
    publisher_field = {"techreport": "institution", "phdthesis": "school"}.get(mapping.bibtex, "publisher")
    issued = item.get("issued", {}).get("date-parts", [[None]])[0]
    fields = [
        ("author", " and ".join(_bibtex_name(n) for n in item.get("author", []))),
        ("title", _bibtex_text(item.get("title", ""))),
        (mapping.bibtex_container, _bibtex_text(item.get("container-title", ""))),
        (publisher_field, _bibtex_text(item.get("publisher", ""))),
        (
            "organization",
            _bibtex_text(item.get("authority", "")) if item.get("authority") != item.get("publisher") else "",
        ),
        ("year", issued[0] if issued and issued[0] else ""),
        ("month", issued[1] if len(issued) > 1 else ""),
        ("day", issued[2] if len(issued) > 2 else ""),
        ("volume", _bibtex_text(item.get("volume", ""))),
        ("number", _bibtex_text(item.get("issue", ""))),
        ("pages", _bibtex_text(item.get("page", "")).replace("–", "--")),
        # DOI and URL are verbatim fields: written as they are (a DOI may hold <, >, ; or #).
        ("doi", item.get("DOI", "").replace("{", "").replace("}", "")),
        ("url", item.get("URL", "")),
        ("entrysubtype", "newspaper" if kind == "news_article" else ""),
    ]
    lines = [f"@{mapping.bibtex}{{{item['id']},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    lines.append("}")
    return "\n".join(lines) + "\n"


def csl_to_ris(item: dict) -> str:
    kind = _CSL_TO_KIND.get(item["type"], "web_page")
    lines = [f"TY  - {kind_mapping(kind).ris}"]
    for name in item.get("author", []):
        # An organisation is one field with no comma, as Zotero and EndNote write it.
        lines.append(f"AU  - {name['literal']}" if "literal" in name else f"AU  - {name['family']}, {name['given']}")
    lines.append(f"TI  - {item.get('title', '')}")
    if item.get("container-title"):
        lines.append(f"T2  - {item['container-title']}")
    if item.get("publisher"):
        lines.append(f"PB  - {item['publisher']}")
    issued = item.get("issued", {}).get("date-parts", [[None]])[0]
    if issued and issued[0]:
        lines.append(f"PY  - {issued[0]}")
        if len(issued) == 3:
            lines.append(f"DA  - {issued[0]:04d}/{issued[1]:02d}/{issued[2]:02d}/")
    for tag, key in (("VL", "volume"), ("IS", "issue")):
        if item.get(key):
            lines.append(f"{tag}  - {item[key]}")
    if item.get("page"):
        start, _, end = item["page"].replace("–", "-").replace("--", "-").partition("-")
        lines.append(f"SP  - {start.strip()}")
        if end.strip():
            lines.append(f"EP  - {end.strip()}")
    if item.get("DOI"):
        lines.append(f"DO  - {item['DOI']}")
    if item.get("URL"):
        lines.append(f"UR  - {item['URL']}")
    lines.append("ER  - ")
    # One tag per line: a line break inside a value would start a bogus tag.
    return "\n".join(" ".join(line.split("\n")) for line in lines) + "\n"


def source_bibtex(source) -> str:
    return csl_to_bibtex(source_csl_json(source))


def source_ris(source) -> str:
    return csl_to_ris(source_csl_json(source))


# --- Download file names (RFC 6266) ----------------------------------------------------------------


def citation_filename_stem(name: str, year) -> str:
    """ "Ødegård", 2025 -> "Ødegård-2025": the readable stem for filename* (RFC 6266)."""
    stem = re.sub(r"[\s/\\:*?\"<>|]+", "-", f"{name} {year or 'nd'}".strip()).strip("-.")
    return stem[:80] or "citation"


def content_disposition(stem: str, extension: str) -> str:
    """`attachment` with an ASCII fallback `filename` and the exact UTF-8 `filename*` (RFC 6266, RFC 8187)."""
    ascii_stem = re.sub(r"[^a-z0-9]+", "-", anyascii(stem).lower()).strip("-") or "citation"
    return (
        f"attachment; filename=\"{ascii_stem}.{extension}\"; filename*=UTF-8''{quote(f'{stem}.{extension}', safe='')}"
    )


def source_content_disposition(source, extension: str) -> str:
    creators = source.creators
    first = creators[0].family_or_name if creators else "source"
    return content_disposition(citation_filename_stem(first, source.year), extension)
