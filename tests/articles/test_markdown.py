import pytest
from django.conf import settings

from articles.markdown import render_markdown
from articles.models import BriefSection, Finding
from tests.factories import make_article

# The admin's address as the settings place it (ADMIN_URL), never a hardcoded /admin/.
ADMIN = f"/{settings.ADMIN_URL}"

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


def assert_no_active_content(html: str):
    """Parse the page as a browser would: the payload must not have become an element or an attribute."""
    import lxml.html

    tree = lxml.html.fromstring(html)
    for script in tree.iter("script"):
        assert "alert(" not in (script.text or "") or script.get("type") == "application/ld+json"
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name, value)
            assert not value.strip().lower().startswith("javascript:"), (element.tag, name, value)
    # A bare <img src="x"> may remain from Markdown (images are allowed there); without its handler it is inert.


PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert(1)><a href=\"javascript:alert(2)\">j</a>"


@pytest.mark.django_db
def test_an_xss_payload_in_every_text_field_is_inert_on_the_page_and_in_the_admin(client):
    """Plain-text fields are escaped by templates; Markdown fields are sanitised on save. Together: nothing runs."""
    from django.contrib.auth.models import Group

    from articles.models import Correction, Limitation, Signal, Source
    from tests.factories import make_author, make_section, make_user

    section = make_section(name=f"Section {PAYLOAD}")
    author = make_author(name=f"Ann {PAYLOAD}", bio=f"Bio {PAYLOAD}")
    article = make_article(
        title=f"Title {PAYLOAD}",
        standfirst=f"Standfirst {PAYLOAD}",
        intro=f"Intro {PAYLOAD}",
        bottom_line=f"Bottom {PAYLOAD}",
        hero_caption=f"Caption {PAYLOAD}",
        hero_credit=f"Credit {PAYLOAD}",
        hero_alt=f"Alt {PAYLOAD}",
        section=section,
        authors=[author],
        tags=[f"tag {PAYLOAD}"[:90]],
    )
    from articles.models import Citation, Highlight

    Highlight.objects.create(article=article, text=f"Highlight {PAYLOAD}")
    Finding.objects.create(article=article, headline=f"Headline {PAYLOAD}", explanation=f"Explanation {PAYLOAD}")
    BriefSection.objects.create(article=article, heading=f"Heading {PAYLOAD}", body=f"Body {PAYLOAD}")
    Signal.objects.create(article=article, kind="solid", text=f"Signal {PAYLOAD}")
    Limitation.objects.create(article=article, label=f"Label {PAYLOAD}", text=f"Limit {PAYLOAD}")
    Correction.objects.create(article=article, text=f"Correction {PAYLOAD}")
    source = Source.objects.create(
        authors=f"Evil, Eve {PAYLOAD}", title=f"Paper {PAYLOAD}", container=f"Journal {PAYLOAD}", year=2025
    )
    Citation.objects.create(article=article, source=source)

    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Highlight &lt;script&gt;" in html  # the text is there, escaped
    assert_no_active_content(html)

    editor = make_user(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    for url in (
        f"{ADMIN}articles/article/{article.pk}/change/",
        f"{ADMIN}articles/article/",
        f"{ADMIN}articles/source/{source.pk}/change/",
    ):
        assert_no_active_content(client.get(url).content.decode())
