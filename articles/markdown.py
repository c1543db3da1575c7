"""Markdown to stored, sanitised HTML.

Editors write Markdown; it is rendered once, when the row is saved, into a `*_html` column, and pages
only ever print that column. Sanitising happens after rendering, with an allow-list (nh3), because
Markdown passes raw HTML through: whatever an editor (or a stolen editor account) types, the stored
HTML has no script, no event handler, no `javascript:`/`data:` link, no iframe and no style.
"""

import re
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.conf import settings

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
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
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

_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "smarty", "abbr", "def_list"]
_ANCHOR = re.compile(r'<a href="([^"]*)"')


def _is_external(href: str) -> bool:
    parts = urlsplit(href.replace("&amp;", "&"))
    if parts.scheme not in ("http", "https"):
        return False
    own_host = urlsplit(settings.SITE_URL).hostname
    return parts.hostname != own_host


def _add_rel(match: re.Match) -> str:
    href = match.group(1)
    return f'<a href="{href}" rel="{EXTERNAL_REL}"' if _is_external(href) else match.group(0)


def sanitize_html(html: str) -> str:
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    # nh3 writes every attribute as name="value", with href first on an <a> we allow, so the
    # pattern is exact; rel is not in the allow-list, so an editor's own rel never survives.
    return _ANCHOR.sub(_add_rel, cleaned).strip()


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML. Empty text gives an empty string."""
    if not (text or "").strip():
        return ""
    html = markdown_lib.markdown(text, extensions=_EXTENSIONS, output_format="html")
    return sanitize_html(html)


def word_count(*texts: str) -> int:
    return sum(len(re.findall(r"\w+", t or "")) for t in texts)
