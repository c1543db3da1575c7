"""The "Cite this" boxes: a source and the brief itself in five CSL styles, and the brief as BibTeX, RIS and
CSL-JSON downloads that reference managers read."""

import json
import re

import bibtexparser
import pytest
import rispy
from citeproc.source.json import CiteProcJSON
from django.urls import reverse
from django.utils import timezone

from articles.citations import CITATION_STYLES, article_csl_json, csl_text
from articles.models import Article, Citation
from articles.queries import attach_brief, with_bylines
from tests.factories import make_article, make_author, make_source

pytestmark = pytest.mark.django_db
PUBLISHED = timezone.datetime(2025, 11, 1, 9, 0, tzinfo=timezone.UTC)


@pytest.fixture
def brief():
    article = make_article(
        title="Gadolinium in Norway: a new heavy rare earth source?",
        authors=[make_author(name="Zoë Ødegård"), make_author(name="Reex Research Desk")],
        published_at=PUBLISHED,
    )
    source = make_source(
        kind="report",
        authors="org: U.S. Geological Survey",
        title="Mineral commodity summaries 2025",
        container="",
        institution="U.S. Geological Survey",
        doi="10.3133/mcs2025",
        evidence="report",
    )
    Citation.objects.create(article=article, source=source)
    return article


def prepared(article):
    return attach_brief(with_bylines(Article.objects.filter(pk=article.pk)).get())


def _visible_citations(html: str) -> list[str]:
    return re.findall(r'<p class="citation-text" id="([^"]+)" data-cite-style="(\w+)"( hidden)?>', html)


def test_article_page_has_a_cite_this_box_per_source_and_for_the_brief(client, brief, settings):
    html = client.get(brief.get_absolute_url()).content.decode()
    boxes = _visible_citations(html)
    keys = list(CITATION_STYLES)
    assert [(i, k) for i, k, _ in boxes] == [
        *[("citation-text-1" + ("" if k == "apa" else f"-{k}"), k) for k in keys],
        *[("citation-text-brief" + ("" if k == "apa" else f"-{k}"), k) for k in keys],
    ]
    # APA shows without JavaScript; the other styles wait for the picker.
    assert [hidden for _, k, hidden in boxes] == ["" if k == "apa" else " hidden" for k in keys] * 2
    for label, _ in CITATION_STYLES.values():
        assert f">{label}</option>" in html
    item = article_csl_json(prepared(brief))
    assert csl_text(item, "apa") == (
        f"Ødegård, Z., & Reex Research Desk. (2025, November 1). Gadolinium in Norway: a new heavy rare earth "
        f"source? {settings.SITE_NAME}. {settings.SITE_URL}/news/{brief.slug}/"
    )
    assert "U.S. Geological Survey. (2025). <i>Mineral commodity summaries 2025</i>." in html


def test_the_brief_cites_as_a_news_article_in_every_style(brief):
    item = article_csl_json(prepared(brief))
    assert item["type"] == "article-newspaper"
    assert item["author"] == [{"family": "Ødegård", "given": "Zoë"}, {"literal": "Reex Research Desk"}]
    assert item["issued"] == {"date-parts": [[2025, 11, 1]]}
    for style in CITATION_STYLES:
        text = csl_text(item, style)
        assert "Gadolinium in Norway" in text
        assert "Ødegård" in text


def test_brief_downloads_parse_in_their_formats(client, brief):
    bib = client.get(reverse("articles:article-citation", args=[brief.slug, "bib"]))
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bib["Content-Disposition"] == (
        "attachment; filename=\"odegard-2025.bib\"; filename*=UTF-8''%C3%98deg%C3%A5rd-2025.bib"
    )
    (entry,) = bibtexparser.parse_string(bib.content.decode()).entries
    assert (entry.entry_type, entry.key) == ("article", "odegard2025gadolinium")
    assert entry.fields_dict["entrysubtype"].value == "newspaper"
    assert entry.fields_dict["author"].value == "Ødegård, Zoë and {Reex Research Desk}"

    ris = client.get(reverse("articles:article-citation", args=[brief.slug, "ris"]))
    (record,) = rispy.loads(ris.content.decode())
    assert (record["type_of_reference"], record["authors"]) == ("NEWS", ["Ødegård, Zoë", "Reex Research Desk"])

    csl = client.get(reverse("articles:article-citation", args=[brief.slug, "json"]))
    (item,) = json.loads(csl.content.decode())
    assert CiteProcJSON([item])  # citeproc-py reads it
    assert item["type"] == "article-newspaper"


def test_a_brief_without_a_byline_is_the_sites_own_work(settings):
    article = make_article(title="Unsigned brief", authors=[], published_at=PUBLISHED)
    item = article_csl_json(prepared(article))
    assert item["author"] == [{"literal": settings.SITE_NAME}]
    assert csl_text(item, "apa").startswith(f"{settings.SITE_NAME}. (2025, November 1). Unsigned brief.")


def test_brief_download_of_an_unpublished_or_unknown_brief_is_404(client):
    draft = make_article(status="draft")
    assert client.get(reverse("articles:article-citation", args=[draft.slug, "bib"])).status_code == 404
    assert client.get(reverse("articles:article-citation", args=["no-such-brief", "ris"])).status_code == 404
