"""A reader's visit in headless Chromium: home, the Russia brief, copy the citation, search, a tag, a feed.

Screenshots of home, article (desktop 1280 and mobile 390) and search go to
test-artifacts/ and docs/screenshots/ (the README shows the article one).
"""

import shutil
from pathlib import Path

import feedparser
import pytest

from tests.articles.reader_data import (
    HIGHLIGHTS,
    LIMITATIONS,
    OTHER_TITLES,
    RUSSIA_TITLE,
    build_site,
    serve_media,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def save_screenshot(page, artifacts_dir, name):
    path = artifacts_dir / name
    page.screenshot(path=str(path), full_page=True)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_SCREENSHOTS / name)


def test_a_reader_finds_reads_cites_searches_and_subscribes(live_server, new_page, media_root, artifacts_dir):
    brief = build_site(media_root)
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    serve_media(page, live_server.url, media_root)

    # Home: the brief is featured, with its image, standfirst, reading time and comment count.
    page.goto(live_server.url + "/")
    featured = page.locator(".featured-article")
    assert featured.locator("h2").inner_text() == RUSSIA_TITLE
    brief.refresh_from_db()
    assert f"{brief.reading_time} min read" in featured.inner_text()
    assert "0 Comments" in featured.inner_text()
    assert page.locator(".article-card").count() == len(OTHER_TITLES)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('.featured-image img').naturalWidth") > 0
    save_screenshot(page, artifacts_dir, "home.png")

    # The article: every part of the brief, in the reference page's order.
    featured.get_by_role("link", name=RUSSIA_TITLE, exact=True).click()
    page.wait_for_url(live_server.url + brief.get_absolute_url())
    assert page.locator("h1").inner_text() == RUSSIA_TITLE
    hero = page.locator("figure.hero img")
    assert hero.get_attribute("alt").startswith("Large brick building")
    assert "480w" in hero.get_attribute("srcset") and "1440w" in hero.get_attribute("srcset")
    assert "Source: Wikipedia" in page.locator("figure.hero figcaption").inner_text()
    byline = page.locator(".byline").inner_text()
    assert "By Daniel O'Connor" in byline and "Published" in byline and f"{brief.reading_time} min read" in byline
    assert page.locator(".highlights li").all_inner_texts() == HIGHLIGHTS
    assert page.locator(".findings h3").count() == 4
    assert page.locator(".free-section h2").inner_text() == "Why Investors Should Care: The Contender’s Dilemma"
    solid, speculative = page.locator(".signal-card.solid"), page.locator(".signal-card.speculative")
    assert solid.bounding_box()["y"] == speculative.bounding_box()["y"]  # side by side
    assert solid.bounding_box()["x"] < speculative.bounding_box()["x"]
    assert page.locator(".limitation-label").all_inner_texts() == [f"{label}:" for label, _ in LIMITATIONS]
    assert "potential, not a pivot" in page.locator(".bottom-line").inner_text()
    citation = page.locator(".citation-text").first.inner_text()
    assert citation.startswith("Mochalova, L. A., & Podkorytov, V. N. (2025).")
    assert page.locator(".evidence-label").inner_text().lower() == "peer-reviewed article"
    assert page.locator(".citation-doi a").get_attribute("href") == "https://doi.org/10.15826/recon.2025.11.3.016"
    for label in ("BibTeX", "RIS", "CSL-JSON"):
        assert page.locator(".citation .citation-actions a", has_text=label).count() == 1
    assert "misspelled Podkorytov" in page.locator(".corrections").inner_text()
    assert page.locator(".tag-link").all_inner_texts() == ["Magnets", "Russia", "Separation"]
    assert "lifelong passion for geology" in page.locator(".author-box").inner_text()
    # Related: the two briefs sharing the "Magnets" tag, newest first.
    assert page.locator(".related-list a").all_inner_texts() == [OTHER_TITLES[0], OTHER_TITLES[2]]
    assert page.locator("#comments").count() == 1
    order = page.evaluate(
        """() => ['figure.hero', 'h1', '.standfirst', '.byline', '.highlights', '.intro', '.findings',
                  '.free-section', '.signals', '.limitations', '.bottom-line', '.citation-box', '.corrections',
                  '.tags', '.author-box', '.related-articles', '#comments']
                 .map(s => document.querySelector(s).getBoundingClientRect().top + window.scrollY)"""
    )
    assert order == sorted(order)

    page.wait_for_load_state("networkidle")
    save_screenshot(page, artifacts_dir, "article-desktop.png")

    # Copy the citation: the clipboard holds the APA reference.
    page.locator(".citation").get_by_role("button", name="Copy citation").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == citation
    assert page.locator(".copy-status").first.inner_text() == "Citation copied to the clipboard."

    mobile = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
    serve_media(mobile, live_server.url, media_root)
    mobile.goto(live_server.url + brief.get_absolute_url())
    mobile.wait_for_load_state("networkidle")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    save_screenshot(mobile, artifacts_dir, "article-mobile.png")

    # Search from the sidebar for "separation": the brief is found, the word highlighted.
    page.get_by_label("Search articles").fill("separation")
    page.get_by_label("Search articles").press("Enter")
    page.wait_for_url("**/search/?q=separation")
    results = page.locator(".search-results .article-card")
    found = page.locator(".search-results .article-card-title").all_inner_texts()
    assert RUSSIA_TITLE in found
    assert page.locator("#results-title").text_content() == f"{len(found)} brief{'s' if len(found) > 1 else ''} found"
    assert page.locator(".search-results mark").first.inner_text().lower().startswith("separ")
    page.wait_for_load_state("networkidle")
    save_screenshot(page, artifacts_dir, "search.png")

    # Follow a tag from the brief.
    results.get_by_role("link", name=RUSSIA_TITLE, exact=True).click()
    page.locator(".tag-link", has_text="Separation").click()
    page.wait_for_url("**/tag/separation/")
    assert page.locator("h1").inner_text() == "Separation"
    assert page.locator(".article-card-title").all_inner_texts() == [RUSSIA_TITLE]

    # Subscribe: the tag's feed link is there, and what it serves is a feed with the brief in it.
    feed_href = page.get_by_role("link", name="RSS feed for Separation").get_attribute("href")
    response = page.request.get(live_server.url + feed_href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == [RUSSIA_TITLE]
    assert page.locator('link[rel="alternate"][type="application/atom+xml"]').count() == 2


def test_article_prints_as_a_clean_document(live_server, page, media_root, artifacts_dir):
    brief = build_site(media_root)
    serve_media(page, live_server.url, media_root)
    page.goto(live_server.url + brief.get_absolute_url())
    page.emulate_media(media="print")
    for hidden in (".site-sidebar", ".site-nav", ".citation-actions", "#comments", ".related-articles"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in ("h1", ".highlights", ".signals", ".bottom-line", ".citation-text"):
        assert page.locator(shown).first.is_visible(), shown
    page.screenshot(path=str(artifacts_dir / "article-print.png"), full_page=True)
