"""Checks that hostile text rendered inert: in HTML pages, feeds, sitemaps, JSON-LD and emails."""

import json
import re
from html.parser import HTMLParser

import lxml.etree
import lxml.html
from django.conf import settings

from tests.security.xss_payloads import FOREIGN_HOST, MARK

# Our scripts: static files, and the admin's JavaScript catalogue (a Django view).
OUR_SCRIPT_PATHS = ("/static/", f"/{settings.ADMIN_URL}jsi18n/")
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


class _SecondOpinion(HTMLParser):
    """Python's own HTML tokenizer, as a check independent of lxml's (libxml2) repairs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.handlers: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        for name, _ in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(f"<{tag} {name}=...>")

    handle_startendtag = handle_starttag


def _scheme(value: str) -> str:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    return re.sub(r"[\x00-\x20]", "", value).lower()


def _dangerous_url(value: str) -> bool:
    return any(_scheme(part).startswith(DANGEROUS_SCHEMES) for part in value.split(","))


def check_tree(root, *, where: str, nonce: str | None, allow_scripts: bool, problems: list[str]) -> int:
    """Append what is wrong under `root` to `problems`; returns the number of <script> elements."""
    scripts = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        tag = element.tag.lower().rsplit("}", 1)[-1]
        for name, value in element.attrib.items():
            lname = name.lower().rsplit("}", 1)[-1]
            if lname.startswith("on"):
                problems.append(f"{where}: <{tag} {name}=...> event handler")
            if (lname in URL_ATTRIBUTES or name.lower() == "xlink:href") and _dangerous_url(value):
                problems.append(f"{where}: <{tag} {name}={value[:60]!r}>")
            if lname == "style" and "javascript:" in _scheme(value):
                problems.append(f"{where}: <{tag} style={value[:60]!r}>")
            if tag == "meta" and lname == "http-equiv" and value.lower() == "refresh":
                problems.append(f"{where}: <meta http-equiv=refresh>")
        if tag in FORBIDDEN_TAGS:
            problems.append(f"{where}: <{tag}> element")
        if tag == "style" and (MARK in (element.text or "") or re.search(r"<[a-zA-Z/!]", element.text or "")):
            # Markup inside <style> is how mutation XSS slips past HTML4 parsers (<math><style><img ...>).
            problems.append(f"{where}: an injected <style> element: {(element.text or '')[:60]!r}")
        for name in ("src", "action", "formaction", "data") + (("href",) if tag == "link" else ()):
            if FOREIGN_HOST in (element.get(name) or ""):
                problems.append(f"{where}: <{tag} {name}={element.get(name)!r}> loads from another site")
        if tag == "script":
            scripts += 1
            _check_script(element, where=where, nonce=nonce, allow=allow_scripts, problems=problems)
    return scripts


def _check_script(element, *, where, nonce, allow, problems):
    if not allow:
        problems.append(f"{where}: <script> where none may be")
        return
    src = element.get("src")
    # External same-origin scripts are allowed by CSP's 'self' even without the nonce
    # (a convention, checked by tests/reex/test_security_headers.py); inline ones need it.
    kind = (element.get("type") or "").lower()
    # A JSON-LD data block is never executed, so CSP needs no nonce for it.
    if src is None and kind != "application/ld+json" and (nonce is None or element.get("nonce") != nonce):
        problems.append(
            f"{where}: inline <script> without the response's CSP nonce: {lxml.html.tostring(element)[:120]!r}"
        )
    kind = (element.get("type") or "").lower()
    if src is not None:
        if not src.startswith(OUR_SCRIPT_PATHS):
            problems.append(f"{where}: <script src={src!r}> not from /static/")
    elif kind == "application/ld+json":
        try:
            data = json.loads(element.text or "")
        except ValueError as error:
            problems.append(f"{where}: JSON-LD does not parse ({error}): {(element.text or '')[:120]!r}")
            return
        items = data if isinstance(data, list) else data.get("@graph", [data])
        if not (isinstance(data, dict | list) and all(isinstance(i, dict) and "@type" in i for i in items)):
            problems.append(f"{where}: JSON-LD is not schema.org data: {str(data)[:120]}")
    elif kind not in ("", "text/javascript", "module"):
        pass  # a data block of another type (e.g. application/json): inert by definition
    else:
        problems.append(f"{where}: inline <script> (ours are all external)")


def nonce_of(response) -> str | None:
    csp = response.get("Content-Security-Policy", "")
    match = re.search(r"'nonce-([^']+)'", csp)
    return match.group(1) if match else None


def html_problems(html: str, *, where: str, nonce: str | None, allow_scripts: bool = True) -> list[str]:
    problems: list[str] = []
    if not html.strip():
        return problems
    second = _SecondOpinion()
    second.feed(html)
    second.close()
    problems += [f"{where}: event handler {handler} (html.parser)" for handler in second.handlers]
    root = lxml.html.document_fromstring(html)
    parsed_scripts = check_tree(root, where=where, nonce=nonce, allow_scripts=allow_scripts, problems=problems)
    if second.scripts != parsed_scripts:
        problems.append(f"{where}: html.parser sees {second.scripts} <script> elements, lxml {parsed_scripts}")
    return problems


def fragment_problems(html: str, *, where: str) -> list[str]:
    """HTML that another program will render (a feed entry, an email): no script at all."""
    return html_problems(f"<div>{html}</div>", where=where, nonce=None, allow_scripts=False)


def _carries_html(element) -> bool:
    """Whether a feed reader renders this element's text as HTML."""
    name = element.tag.rsplit("}", 1)[-1]
    parent = element.getparent()
    parent_name = parent.tag.rsplit("}", 1)[-1] if parent is not None else ""
    if element.tag.startswith("{http://www.w3.org/2005/Atom}"):
        # Atom says so itself: type="text" (the default) is shown as text.
        return name in ("title", "subtitle", "summary", "content", "rights") and element.get("type") in (
            "html",
            "xhtml",
        )
    # RSS 2.0: item descriptions (and content:encoded) are entity-encoded HTML; titles
    # and the channel's own description are text.
    return (name == "description" and parent_name == "item") or name == "encoded"


def xml_problems(body: bytes, *, where: str) -> list[str]:
    """Feeds and sitemaps: well-formed XML, and any HTML they carry is inert once a reader decodes it."""
    try:
        root = lxml.etree.fromstring(body, parser=lxml.etree.XMLParser(resolve_entities=False, no_network=True))
    except lxml.etree.XMLSyntaxError as error:
        return [f"{where}: not well-formed XML: {error}"]
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rsplit("}", 1)[-1]
        if element.text and _carries_html(element):
            problems += fragment_problems(element.text, where=f"{where} <{name}>")
        for attr in ("href", "src", "url"):
            if element.get(attr) and _dangerous_url(element.get(attr)):
                problems.append(f"{where}: <{name} {attr}={element.get(attr)!r}>")
        if name in ("link", "loc", "guid", "id", "comments") and element.text and _dangerous_url(element.text.strip()):
            problems.append(f"{where}: <{name}>{element.text[:60]}")
    return problems


def email_problems(message, *, where: str) -> list[str]:
    """An EmailMessage/EmailMultiAlternatives from the outbox: no script in any HTML part, clean headers."""
    problems = []
    for name, value in message.extra_headers.items():
        if "\n" in str(value) or "\r" in str(value):
            problems.append(f"{where}: header {name} has a line break")
    for value in [message.subject, message.from_email, *message.to, *message.cc, *message.bcc, *message.reply_to]:
        if "\n" in str(value) or "\r" in str(value):
            problems.append(f"{where}: a line break in {value[:60]!r}")
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            problems += fragment_problems(content, where=f"{where} (HTML part)")
    if getattr(message, "content_subtype", "plain") == "html":
        problems += fragment_problems(message.body, where=f"{where} (HTML body)")
    rendered = message.message().as_bytes()
    if re.search(rb"^(Bcc|X-Injected):", rendered, re.MULTILINE | re.IGNORECASE):
        problems.append(f"{where}: an injected header reached the message")
    return problems
