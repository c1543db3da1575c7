"""Markdown to stored, sanitised HTML.

Editors write Markdown; it is rendered once, when the row is saved, into a `*_html` column, and pages
only ever print that column. Sanitising happens after rendering, with an allow-list (nh3), because
Markdown passes raw HTML through: whatever an editor (or a stolen editor account) types, the stored
HTML has no script, no event handler, no `javascript:`/`data:` link, no iframe and no style.
"""

import hashlib
import re
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.core.exceptions import ValidationError

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sup",
    "sub",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "a",
    "abbr",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "section",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id", "role", "aria-label"},
    "sup": {"id"},
    "li": {"id"},
    "section": {"class", "aria-label"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with their content: their text is never meant for readers.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select"}
EXTERNAL_REL = "nofollow noopener"

_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "smarty", "abbr", "def_list", "footnotes"]
_ANCHOR = re.compile(r"<a\b([^>]*)>")
_HREF = re.compile(r'\bhref="([^"]*)"')
_IMG = re.compile(r"<img\b[^>]*>")
_IMG_SRC = re.compile(r'\bsrc="([^"]*)"')
# Footnote ids, classes and roles are the only ones an editor's HTML can keep (see _footnote_attribute).
_FOOTNOTE_ID = re.compile(r"^fn(?:ref)?-[0-9a-f]{8}-[\w-]+$")
_FOOTNOTE_CLASSES = {"footnote-ref", "footnote-backref", "footnotes"}
_FOOTNOTE_ROLES = {"doc-noteref", "doc-backlink"}


def _is_external(href: str) -> bool:
    parts = urlsplit(href.replace("&amp;", "&"))
    if parts.scheme not in ("http", "https"):
        return False
    own_host = urlsplit(settings.SITE_URL).hostname
    return parts.hostname != own_host


def _add_rel(match: re.Match) -> str:
    href = _HREF.search(match.group(1))
    if href and _is_external(href.group(1)):
        return f'<a{match.group(1)} rel="{EXTERNAL_REL}">'
    return match.group(0)


def _footnote_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _FOOTNOTE_ID.match(value) else None
    if attribute == "class":
        return value if value in _FOOTNOTE_CLASSES else None
    if attribute == "role":
        return value if value in _FOOTNOTE_ROLES else None
    return value


def _allowed_image_source(src: str) -> bool:
    """Images load only from this site or its media storage: the CSP (img-src) blocks every other origin,
    so any other src would be a broken image, and a relative "x" a request to a page that is not one."""
    if src.startswith("/") and not src.startswith("//"):
        return True
    parts = urlsplit(src.replace("&amp;", "&"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    origins = {urlsplit(settings.SITE_URL).netloc, urlsplit(getattr(settings, "MEDIA_URL", "") or "").netloc}
    return parts.netloc in origins - {""}


def _drop_broken_image(match: re.Match) -> str:
    src = _IMG_SRC.search(match.group(0))
    return match.group(0) if src and _allowed_image_source(src.group(1)) else ""


def sanitize_html(html: str) -> str:
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_footnote_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    # An image whose src was removed or is not allowed is removed whole, not left as a broken request.
    cleaned = _IMG.sub(_drop_broken_image, cleaned)
    # nh3 writes every attribute as name="value", so the patterns are exact; rel is not in the
    # allow-list, so an editor's own rel never survives and ours is the only one.
    return _ANCHOR.sub(_add_rel, cleaned).strip()


def _accessible_footnotes(html: str, text: str) -> str:
    """Python-Markdown's footnotes, made unique on a page and announced to screen readers.

    Several Markdown fields share one page (intro, findings, sections, bottom line), and each numbers
    its footnotes from 1: the ids get a prefix from the field's text so no two fields collide. The
    reference says "Footnote 1" rather than "1", the back link says where it goes, and the notes are a
    labelled section instead of a bare rule and list.
    """
    if 'class="footnote' not in html:
        return html
    prefix = hashlib.sha256(text.encode()).hexdigest()[:8]
    html = re.sub(r'(id="|href="#)fn(ref)?:', lambda m: f"{m.group(1)}fn{m.group(2) or ''}-{prefix}-", html)
    html = re.sub(
        r'<a class="footnote-ref" href="(#fn-[^"]+)">([^<]+)</a>',
        r'<a class="footnote-ref" href="\1" role="doc-noteref" aria-label="Footnote \2">\2</a>',
        html,
    )
    html = re.sub(
        r'<a class="footnote-backref" href="(#fnref-[^"]+)" title="Jump back to footnote (\d+) in the text">',
        r'<a class="footnote-backref" href="\1" role="doc-backlink" aria-label="Back to reference \2">',
        html,
    )
    return re.sub(
        r'<div class="footnote">\s*<hr>\s*(<ol>.*</ol>)\s*</div>',
        r'<section class="footnotes" aria-label="Footnotes">\n\1\n</section>',
        html,
        flags=re.DOTALL,
    )


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML. Empty text gives an empty string."""
    if not (text or "").strip():
        return ""
    html = markdown_lib.markdown(text, extensions=_EXTENSIONS, output_format="html")
    return sanitize_html(_accessible_footnotes(html, text))


def word_count(*texts: str) -> int:
    return sum(len(re.findall(r"\w+", t or "")) for t in texts)


# Markdown syntax that a plain-text field would show readers literally: emphasis, code, links, footnotes,
# headings, list bullets and table rows.
_MARKDOWN_SYNTAX = [
    (re.compile(r"\*\*|__"), "“**” or “__” (bold)"),
    (re.compile(r"(?:^|\s)[*_][^\s*_][^*_]*[*_](?:\s|[.,;:!?]|$)"), "“*…*” or “_…_” (italics)"),
    (re.compile(r"`"), "“`” (code)"),
    (re.compile(r"\[\^[^\]]+\]"), "“[^1]” (a footnote)"),
    (re.compile(r"!?\[[^\]]*\]\([^)]*\)"), "“[text](link)” (a link or image)"),
    (re.compile(r"^\s{0,3}#{1,6}\s", re.MULTILINE), "“#” (a heading)"),
    (re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE), "“| … |” (a table row)"),
    (re.compile(r"^\s*[-*+]\s", re.MULTILINE), "“- ” (a list bullet)"),
]


def check_plain_text(value: str) -> None:
    """Refuse Markdown syntax in a plain-text field: it is printed as typed, so readers would see it."""
    found = [label for pattern, label in _MARKDOWN_SYNTAX if pattern.search(value or "")]
    if found:
        raise ValidationError(
            "This field is plain text: Markdown is not rendered here, so readers would see %(found)s as typed. "
            "Write it without Markdown, or put formatted text in a Markdown field (intro, findings, sections, "
            "bottom line).",
            code="markdown_in_plain_text",
            params={"found": ", ".join(found)},
        )
