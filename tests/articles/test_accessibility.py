"""WCAG 2.2 AA: axe-core (vendored, tests/vendor/axe.min.js) in headless Chromium on every reader page type,
plus keyboard access: a visible skip link and a visible focus ring."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.articles.reader_data import build_site, serve_media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def axe_violations(page):
    # evaluate() runs in the page without a <script> element, so the page's CSP need not be loosened.
    page.evaluate(AXE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_or_critical_axe_violations(live_server, page, media_root):
    brief = build_site(media_root)
    serve_media(page, live_server.url, media_root)
    pages = {
        "home": "/",
        "article": brief.get_absolute_url(),
        "search": "/search/?q=separation",
        "search (empty)": "/search/?q=%21%21",
        "section": brief.section.get_absolute_url(),
        "tag": "/tag/separation/",
        "author": "/author/daniel/",
        "archive": "/archive/",
        "source": brief.citations.first().source.get_absolute_url(),
        "not found": "/news/no-such-brief/",
    }
    found = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}


def test_mobile_article_has_no_serious_axe_violations(live_server, new_page, media_root):
    brief = build_site(media_root)
    mobile = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    serve_media(mobile, live_server.url, media_root)
    mobile.goto(live_server.url + brief.get_absolute_url())
    assert axe_violations(mobile) == []


def test_keyboard_skip_link_and_visible_focus(live_server, page, media_root):
    brief = build_site(media_root)
    page.goto(live_server.url + brief.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className").startswith("visually-hidden-focusable skip-link")
    assert skip.is_visible()
    assert skip.bounding_box()["width"] > 50  # shown on screen, not clipped to 1px
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab onwards through the page: every focused element shows an outline.
    for _ in range(12):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert style[0] != "none" and style[1] != "0px", page.evaluate("document.activeElement.outerHTML")
    # The copy button is reachable and works from the keyboard.
    button = page.locator(".citation").get_by_role("button", name="Copy citation")
    button.focus()
    page.keyboard.press("Enter")
    # Copying is asynchronous (the Clipboard API): wait for the announcement rather than race it.
    expect(page.locator(".copy-status").first).not_to_have_text("")
