import pytest

from articles.markdown import render_markdown
from articles.models import BriefSection, Finding
from tests.factories import make_article

# One payload per trick an attacker would try, each with a marker the stored HTML must not keep.
XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<a href='javascript:alert(1)'>click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href='https://ok.example' onclick='alert(1)' style='color:red'>styled</a>",
    "<object data='x.swf'></object><embed src='x.swf'>",
    "<form action='https://evil.example'><input name=x></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<p style="position:fixed;top:0">overlay</p>',
    "<!-- <script>alert(1)</script> -->",
]
FORBIDDEN = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "javascript:",
    "data:text",
    "<iframe",
    "<style",
    "style=",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<svg",
    "<math",
]


def assert_clean(html: str):
    lowered = html.lower()
    for marker in FORBIDDEN:
        assert marker not in lowered, f"{marker!r} survived in {html!r}"


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_strips_every_payload(payload):
    assert_clean(render_markdown(f"Before {payload} after"))


def test_render_markdown_renders_markdown():
    assert render_markdown("Hello *world*\n\n- one\n- two") == (
        "<p>Hello <em>world</em></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    )


def test_external_links_get_nofollow_noopener_and_internal_links_do_not(settings):
    settings.SITE_URL = "https://reex.example"
    html = render_markdown("[a](https://usgs.gov/x) [b](/about/) [c](https://reex.example/news/) [d](mailto:x@y.z)")
    assert html == (
        '<p><a href="https://usgs.gov/x" rel="nofollow noopener">a</a> <a href="/about/">b</a> '
        '<a href="https://reex.example/news/">c</a> <a href="mailto:x@y.z">d</a></p>'
    )


def test_an_editors_own_rel_is_replaced():
    assert render_markdown('<a href="https://x.example" rel="opener">x</a>') == (
        '<p><a href="https://x.example" rel="nofollow noopener">x</a></p>'
    )


def test_empty_text_renders_to_empty_string():
    assert render_markdown("") == ""
    assert render_markdown("   \n") == ""


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_every_markdown_field_is_sanitised_when_saved(payload):
    text = f"Intro **bold** {payload}"
    article = make_article(intro=text, bottom_line=text)
    finding = Finding.objects.create(article=article, headline="H", explanation=text)
    section = BriefSection.objects.create(article=article, heading="Why Investors Should Care", body=text)
    article.refresh_from_db()
    finding.refresh_from_db()
    section.refresh_from_db()
    for html in (article.intro_html, article.bottom_line_html, finding.explanation_html, section.body_html):
        assert "<strong>bold</strong>" in html
        assert_clean(html)


@pytest.mark.django_db
def test_rendering_happens_on_save_and_follows_edits():
    article = make_article(intro="*one*")
    assert article.intro_html == "<p><em>one</em></p>"
    article.intro = "**two**"
    article.save()
    article.refresh_from_db()
    assert article.intro_html == "<p><strong>two</strong></p>"
