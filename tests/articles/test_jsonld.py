"""JSON-LD on article pages: NewsArticle with the papers as ScholarlyArticle, a BreadcrumbList, safe escaping."""

import json
import re

import pytest
from django.conf import settings

from articles.models import Article, Citation
from tests.articles.reader_data import RUSSIA_DOI, RUSSIA_TITLE, make_russia_brief
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db
# As the pages spell it (SITE_URL), never a hardcoded host.
SITE_URL = settings.SITE_URL


def jsonld_blocks(response):
    html = response.content.decode()
    # A data block is never run, so it needs no CSP nonce (and cached pages carry none).
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert blocks, "no JSON-LD on the page"
    return [json.loads(body) for body in blocks]


def graph_by_type(data):
    return {node["@type"]: node for node in data["@graph"]}


def test_news_article_with_scholarly_citations_and_breadcrumbs(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    brief = make_russia_brief(with_image=True)
    [data] = jsonld_blocks(client.get(brief.get_absolute_url()))
    assert data["@context"] == "https://schema.org"
    nodes = graph_by_type(data)
    news = nodes["NewsArticle"]
    assert news["headline"] == RUSSIA_TITLE[:110]
    assert news["url"] == SITE_URL + brief.get_absolute_url()
    assert news["datePublished"].startswith(brief.first_published_at.strftime("%Y-%m-%dT%H:%M"))
    assert news["dateModified"].startswith(brief.updated_at.strftime("%Y-%m-%dT%H:%M"))
    assert [image.rsplit("-", 1)[1] for image in news["image"]] == ["480.webp", "960.webp", "1440.webp"]
    assert all(image.startswith(f"{SITE_URL}/media/renditions/") for image in news["image"])
    assert news["author"] == [{"@type": "Person", "name": "Daniel O'Connor", "url": f"{SITE_URL}/author/daniel/"}]
    assert news["articleSection"] == "Research Briefs"
    assert news["keywords"] == ["Magnets", "Russia", "Separation"]
    publisher = nodes["NewsMediaOrganization"]
    assert news["publisher"] == {"@id": publisher["@id"]}
    assert publisher["name"] == "Rare Earth Exchanges"
    assert publisher["logo"]["url"] == f"{SITE_URL}/static/img/reex-logo.png"
    assert (publisher["logo"]["width"], publisher["logo"]["height"]) == (600, 60)
    [paper] = news["citation"]
    assert news["isBasedOn"] == news["citation"]
    assert paper["@type"] == "ScholarlyArticle"
    assert paper["name"] == "Current trends and prospects in Russia’s rare earth metals industry"
    assert paper["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI", "value": RUSSIA_DOI}
    assert paper["url"] == f"https://doi.org/{RUSSIA_DOI}"
    assert [a["name"] for a in paper["author"]] == ["Lyudmila A. Mochalova", "Vladimir N. Podkorytov"]
    assert paper["datePublished"] == "2025"
    crumbs = nodes["BreadcrumbList"]["itemListElement"]
    assert [(c["position"], c["name"]) for c in crumbs] == [(1, "Home"), (2, "Research Briefs"), (3, RUSSIA_TITLE)]
    assert crumbs[-1]["item"] == news["url"]


def test_only_published_articles_get_json_ld_and_several_papers_keep_their_order(client):
    article = make_article()
    first, second = (
        make_source(title="First paper"),
        make_source(title="Second paper", doi=None, url="https://example.org/r"),
    )
    Citation.objects.create(article=article, source=first, position=0)
    Citation.objects.create(article=article, source=second, position=1)
    news = graph_by_type(jsonld_blocks(client.get(article.get_absolute_url()))[0])["NewsArticle"]
    assert [paper["name"] for paper in news["citation"]] == ["First paper", "Second paper"]
    assert "identifier" not in news["citation"][1]
    assert news["citation"][1]["url"] == "https://example.org/r"
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_json_ld_cannot_break_out_of_its_script_element(client):
    hostile = "</script><script>alert(1)</script> & <!-- x"
    article = make_article(title=hostile, standfirst=hostile)
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "</script><script>alert(1)" not in html
    [data] = jsonld_blocks(response)
    assert graph_by_type(data)["NewsArticle"]["description"] == hostile
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    assert "<" not in raw and ">" not in raw and "&" not in raw


def test_home_describes_the_site_and_its_search(client):
    make_article()
    nodes = graph_by_type(jsonld_blocks(client.get("/"))[0])
    website = nodes["WebSite"]
    assert website["url"] == f"{SITE_URL}/"
    assert website["publisher"] == {"@id": nodes["NewsMediaOrganization"]["@id"]}
    action = website["potentialAction"]
    assert action["target"]["urlTemplate"] == f"{SITE_URL}/search/?q={{q}}"
    assert action["query-input"] == "required name=q"
