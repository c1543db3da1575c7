import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from articles.markdown import check_plain_text, render_markdown
from articles.models import BriefSection, Finding, Highlight, Limitation, Signal
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


# --- Footnotes, images, plain text --------------------------------------------------------------------


def test_footnotes_render_as_accessible_footnotes_with_ids_unique_to_the_field():
    text = "Russia has the reserves[^1] but not the refineries[^usgs].\n\n[^1]: USGS 2025.\n[^usgs]: Table 3."
    html = render_markdown(text)
    prefix = re.search(r'id="fnref-([0-9a-f]{8})-1"', html).group(1)
    assert (
        f'<sup id="fnref-{prefix}-1"><a class="footnote-ref" href="#fn-{prefix}-1" role="doc-noteref" '
        f'aria-label="Footnote 1">1</a></sup>'
    ) in html
    assert '<section class="footnotes" aria-label="Footnotes">' in html
    assert f'<li id="fn-{prefix}-usgs">' in html
    assert (
        f'<a class="footnote-backref" href="#fnref-{prefix}-usgs" role="doc-backlink" aria-label="Back to reference 2">'
    ) in html
    assert "[^1]" not in html and "<hr>" not in html
    # Another field on the same page numbers from 1 too, under other ids.
    other = render_markdown("A second claim[^1].\n\n[^1]: Another note.")
    assert 'id="fnref-' in other and f"fnref-{prefix}-1" not in other


def test_an_editor_cannot_forge_ids_classes_or_roles():
    html = render_markdown(
        '<a id="main" class="btn footnote-ref" role="button" href="https://evil.example/">x</a> '
        '<sup id="fnref-zz">1</sup> <a class="footnote-ref" href="https://evil.example/">y</a>'
    )
    assert html == (
        '<p><a href="https://evil.example/" rel="nofollow noopener">x</a> <sup>1</sup> '
        '<a class="footnote-ref" href="https://evil.example/" rel="nofollow noopener">y</a></p>'
    )


@pytest.mark.parametrize(
    "image",
    [
        "<img src=x onerror=alert(1)>",
        "<img src='javascript:alert(1)'>",
        "<img>",
        "![chart](chart.png)",
        "![chart](https://other.example/chart.png)",
        "![chart](//other.example/chart.png)",
        "![chart](data:image/png;base64,AAAA)",
    ],
)
def test_an_image_without_an_allowed_src_is_removed_whole(image):
    assert render_markdown(f"Before {image} after") == "<p>Before  after</p>"


def test_images_from_this_site_and_its_media_stay(settings):
    settings.SITE_URL = "https://news.example.org"
    assert render_markdown("![Plant](/media/plant.webp)") == '<p><img alt="Plant" src="/media/plant.webp"></p>'
    assert render_markdown("![Plant](https://news.example.org/media/p.webp)") == (
        '<p><img alt="Plant" src="https://news.example.org/media/p.webp"></p>'
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Russia has **the rocks**", "“**” or “__” (bold)"),
        ("A *real* bottleneck", "(italics)"),
        ("| Dy | Tb |", "(a table row)"),
        ("See [USGS](https://pubs.usgs.gov)", "(a link or image)"),
        ("Reserves are large[^1]", "(a footnote)"),
        ("## Heading", "(a heading)"),
        ("- a bullet", "(a list bullet)"),
        ("Use `code`", "(code)"),
    ],
)
def test_plain_text_fields_refuse_markdown_syntax(text, shown):
    with pytest.raises(ValidationError) as exc:
        check_plain_text(text)
    assert exc.value.messages[0].startswith("This field is plain text: Markdown is not rendered here")
    assert shown in exc.value.messages[0]


@pytest.mark.parametrize(
    "text",
    ["NdFeB/Dy/Tb demand", "#1 producer, 5 * 3 = 15 plants", "snake_case_names", "Mine-to-magnet — 2025 (est.)"],
)
def test_plain_text_without_markdown_passes(text):
    check_plain_text(text)


@pytest.mark.django_db
def test_highlights_signals_and_limitations_refuse_markdown_on_the_field_that_has_it():
    article = make_article()
    with pytest.raises(ValidationError) as exc:
        Highlight(article=article, text="Russia has **the rocks**").full_clean()
    assert list(exc.value.message_dict) == ["text"]
    with pytest.raises(ValidationError) as exc:
        Signal(article=article, kind="solid", text="| a | b |").full_clean()
    assert list(exc.value.message_dict) == ["text"]
    with pytest.raises(ValidationError) as exc:
        Limitation(article=article, label="**Bias**", text="Desk research.").full_clean()
    assert list(exc.value.message_dict) == ["label"]
    Highlight(article=article, text="Russia has the rocks, not the refineries.").full_clean()


def test_demo_plain_text_fields_hold_no_markdown():
    from articles.management.commands._demo_content import ARTICLES

    for article in ARTICLES:
        for text in article.get("highlights", []):
            check_plain_text(text)
        for signal in article.get("signals", []):
            check_plain_text(signal[1] if isinstance(signal, (tuple, list)) else str(signal))
        for limitation in article.get("limitations", []):
            for part in limitation if isinstance(limitation, (tuple, list)) else [limitation]:
                check_plain_text(part)
