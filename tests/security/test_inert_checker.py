"""The checker the XSS tests rely on does catch live markup (a checker that passes everything proves nothing)."""

import pytest

from tests.security.inert import fragment_problems, html_problems, xml_problems

LIVE = [
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></ScRiPt>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" JAVASCRIPT:alert(1)">x</a>',
    '<a href="data:text/html,x">x</a>',
    "<iframe src=/x></iframe>",
    '<p title="x" onmouseover="alert(1)">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
INERT = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<p title="&lt;img src=x onerror=alert(1)&gt;">onerror=alert(1)</p>',
    '<a href="https://example.org/?q=javascript:alert(1)" rel="nofollow">javascript:alert(1)</a>',
]


@pytest.mark.parametrize("markup", LIVE)
def test_live_markup_is_caught(markup):
    assert fragment_problems(markup, where="x")


@pytest.mark.parametrize("markup", INERT)
def test_escaped_markup_passes(markup):
    assert fragment_problems(markup, where="x") == []


def test_scripts_need_our_nonce_or_our_static_path():
    page = '<html><head><script nonce="abc">1</script><script src="/static/x.js"></script></head></html>'
    assert html_problems(page, where="p", nonce="abc") == ["p: inline <script> (ours are all external)"]
    assert html_problems(page, where="p", nonce="other")[0].startswith("p: inline <script> without")
    jsonld = (
        '<script type="application/ld+json" nonce="n">{"@context": "https://schema.org", "@type": "Thing"}</script>'
    )
    assert html_problems(f"<html><head>{jsonld}</head></html>", where="p", nonce="n") == []
    broken = '<script type="application/ld+json" nonce="n">{"name": "</script><script>alert(1)</script>"}</script>'
    assert html_problems(f"<html><head>{broken}</head></html>", where="p", nonce="n")


def test_feeds_must_parse_and_their_html_must_be_inert():
    assert xml_problems(b"<rss><channel><title>x</title>", where="f")[0].startswith("f: not well-formed XML")
    rss = b"<rss><channel><item><description>&lt;img src=x onerror=alert(1)&gt;</description></item></channel></rss>"
    assert xml_problems(rss, where="f")
    safe = b"<rss><channel><item><description>&amp;lt;img src=x&amp;gt;</description></item></channel></rss>"
    assert xml_problems(safe, where="f") == []
