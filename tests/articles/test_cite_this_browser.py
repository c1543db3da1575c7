"""A reader, in headless Chromium, picks a citation style in the "Cite this brief" box."""

import pytest
from django.utils import timezone

from articles.models import Citation
from tests.factories import make_article, make_author, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_style_picker_swaps_the_citation_and_what_copy_copies(page, live_server, artifacts_dir):
    article = make_article(
        title="Gadolinium in Norway",
        authors=[make_author(name="Zoë Ødegård")],
        published_at=timezone.datetime(2025, 11, 1, 9, 0, tzinfo=timezone.UTC),
    )
    Citation.objects.create(article=article, source=make_source(title="Heavy rare earths in carbonatites"))
    page.goto(live_server.url + article.get_absolute_url())
    box = page.locator(".cite-brief")
    assert box.locator("#citation-text-brief").is_visible()
    assert not box.locator("#citation-text-brief-chicago").is_visible()

    box.locator("select[data-cite-select]").select_option(label="Chicago author-date")
    assert box.locator("#citation-text-brief-chicago").is_visible()
    assert not box.locator("#citation-text-brief").is_visible()
    assert (
        box.locator("#citation-text-brief-chicago")
        .inner_text()
        .startswith("Ødegård, Z. 2025. “Gadolinium in Norway”. Rare Earth Exchanges, November 1. http")
    )
    assert box.locator("[data-copy-target]").get_attribute("data-copy-target") == "citation-text-brief-chicago"
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "cite-this-brief.png"))

    box.locator("select[data-cite-select]").select_option(label="IEEE")
    assert box.locator("#citation-text-brief-ieee").inner_text().startswith("Z. Ødegård, “Gadolinium in Norway”")
