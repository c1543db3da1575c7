"""Each resource's exact JSON for the demo brief of the Russia paper, the filters, pagination and errors."""

import pytest

from articles.models import Article, Source

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _iso(value):
    return value.isoformat().replace("+00:00", "Z")


MOCHALOVA = {
    "kind": "journal_article",
    "kind_label": "Journal article",
    "title": "Current trends and prospects in Russia’s rare earth metals industry",
    "authors": [
        {"type": "person", "family": "Mochalova", "given": "Lyudmila A.", "name": "Lyudmila A. Mochalova"},
        {"type": "person", "family": "Podkorytov", "given": "Vladimir N.", "name": "Vladimir N. Podkorytov"},
    ],
    "year": 2025,
    "container": "URFU Journal Portal",
    "publisher": "",
    "institution": "",
    "volume": "",
    "issue": "",
    "pages": "",
    "doi": "10.15826/recon.2025.11.3.016",
    "doi_url": "https://doi.org/10.15826/recon.2025.11.3.016",
    "url": None,
    "evidence": "peer_reviewed",
    "evidence_label": "Peer-reviewed article",
}
DANIEL_HART = {
    "slug": "daniel-hart",
    "name": "Daniel Hart",
    "bio": "Editor of Reex. A geologist by training who has followed rare earth supply chains since the 2010 "
    "price spike, and who thinks the midstream is where the story is.",
    "photo": None,
    "url": f"{SITE}/author/daniel-hart/",
}


def _source(source):
    return {"id": source.pk, **MOCHALOVA, "page_url": f"{SITE}/sources/{source.pk}/"}


def expected_article(article):
    source = Source.objects.get(doi=MOCHALOVA["doi"])
    correction = article.corrections.get()
    return {
        "id": article.pk,
        "slug": "russias-rare-earths-crossroads",
        "url": f"{SITE}/news/russias-rare-earths-crossroads/",
        "title": "Russia’s Rare Earths Crossroads: Ambition, Bottlenecks, and a Risk-Adjusted Path Forward",
        "standfirst": "Russia sits on large rare earth reserves yet produces little. A new paper says the bottleneck "
        "is the midstream, not the geology, and that only a state-backed mine-to-magnet chain can fix it.",
        "published_at": _iso(article.published_at),
        "updated_at": None,
        "reading_time": 2,
        "featured": True,
        "section": {"slug": "research-briefs", "name": "Research Briefs"},
        "hero_image": {
            "url": f"{SITE}/media/{article.hero_image.name}",
            "alt": "Abstract illustration: soft circles and hexagons suggesting a crystal lattice, behind the "
            "headline “Russia’s Rare Earths Crossroads”",
            "caption": "Experts at Ural State Mining University: promise, but a long, steep trek.",
            "credit": "Illustration: Rare Earth Exchanges (generated)",
        },
        "authors": [DANIEL_HART],
        "tags": [
            {"slug": "ndfeb", "name": "NdFeB", "url": f"{SITE}/tag/ndfeb/"},
            {"slug": "russia", "name": "Russia", "url": f"{SITE}/tag/russia/"},
            {"slug": "policy", "name": "policy", "url": f"{SITE}/tag/policy/"},
            {"slug": "separation", "name": "separation", "url": f"{SITE}/tag/separation/"},
            {"slug": "supply-chain", "name": "supply chain", "url": f"{SITE}/tag/supply-chain/"},
        ],
        "highlights": [
            "Russia holds significant rare earth reserves but remains a minor producer, held back by fragmented "
            "processing, thin refining know-how and high investment risk.",
            "What Russian industry consumes does not match the world’s fastest-growing demand: magnet-grade "
            "neodymium, praseodymium, dysprosium and terbium.",
            "The authors want state-backed integration from mine to magnet; capital, technology and sanctions "
            "make that a long climb.",
        ],
        "intro_html": "<p>In <em>Current trends and prospects in Russia’s rare earth metals industry</em> (2025), "
        "Lyudmila A. Mochalova and Vladimir N. Podkorytov of Ural State Mining University in Ekaterinburg ask why "
        "a country with so much ore makes so little metal.</p>\n<p>Their answer, published in the URFU Journal "
        "Portal: the problem sits between the mine and the factory. Processing chains are broken into pieces, "
        "separation and refining skills are scarce, and investors price in a lot of risk. On top of that, Russian "
        "demand looks little like the global magnet market that is driving growth.</p>",
        "findings": [
            {
                "headline": "The rocks are there; the refineries are not.",
                "explanation_html": "<p>Deposits are spread unevenly and the chain from concentrate to oxide to "
                "metal is split across sites and owners, which makes consistent, large-scale output hard.</p>",
            },
            {
                "headline": "Price swings raise the cost of money.",
                "explanation_html": "<p>Volatile prices and fast-moving technology make lenders cautious, so "
                "projects pay more for capital or wait.</p>",
            },
            {
                "headline": "Home demand is not export demand.",
                "explanation_html": "<p>Domestic use trails the magnet and electric-vehicle trends abroad, leaving "
                "a gap between what Russia can make and what buyers want.</p>",
            },
            {
                "headline": "Policy is the proposed lever.",
                "explanation_html": "<p>The authors call for integrated, state-supported value chains, from mine "
                "to metal to magnet alloy, in the name of “technological sovereignty”.</p>",
            },
        ],
        "sections": [
            {
                "heading": "Why Investors Should Care",
                "body_html": "<p>If Russia can bundle feedstock, processing and guaranteed offtake, it could move "
                "from reserve holder to dependable supplier, notably for buyers in Europe and Asia looking beyond "
                "China. The lift is heavy: capital, process know-how, environmental permits and firm end-market "
                "demand from electric vehicles, wind and defence. The prize, and the price, is mastery of the "
                "midstream: <strong>separation</strong>, refining and alloying.</p>",
            }
        ],
        "signals": [
            {
                "kind": "solid",
                "text": "A clear diagnosis of the structural gaps (fragmented processing, price risk, demand "
                "mismatch) and a realistic call for an integrated, policy-backed build-out.",
            },
            {
                "kind": "speculative",
                "text": "How fast Russia can raise capital, deploy modern separation technology and keep export "
                "channels open under sanctions. The paper argues for a policy; execution risk stays high.",
            },
        ],
        "limitations": [
            {
                "label": "Desk research bias",
                "text": "The study synthesises USGS and Russian state reports, with little plant-level operating data.",
            },
            {
                "label": "Market opacity",
                "text": "Sanctions and geopolitics distort trade flows, prices and financing in ways the paper "
                "cannot model.",
            },
            {
                "label": "Technology readiness",
                "text": "Going from laboratory flowsheets to continuous commercial solvent extraction and magnet "
                "alloying takes years and a great deal of capital.",
            },
        ],
        "bottom_line_html": "<p>Mochalova and Podkorytov offer a sober roadmap: Russia’s rare earth future depends "
        "on integrating the midstream and matching what it makes to what the world buys. Watch for bankable "
        "projects that pair a deposit with permitted separation capacity, a magnet partner and take-or-pay "
        "offtake. Until then, Russia is potential, not a pivot.</p>",
        "corrections": [
            {
                "date": correction.date.isoformat(),
                "text": "An earlier version of this brief placed the authors’ university in Moscow. Ural State "
                "Mining University is in Ekaterinburg.",
            }
        ],
        "sources": [_source(source)],
    }


def test_article_detail_is_the_whole_brief(client, demo):
    response = client.get("/api/v1/articles/russias-rare-earths-crossroads")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"article": expected_article(demo)}


def test_article_in_a_list_with_every_include_is_the_same_as_its_detail(client, demo):
    response = client.get("/api/v1/articles/?tag=russia&include=authors,tags,brief,sources")
    assert response.json() == {
        "articles": [expected_article(demo)],
        "meta": {"pagination": {"limit": 10, "next_cursor": None}},
    }


def test_article_list_without_include_gives_the_summary(client, demo):
    summary = {key: value for key, value in expected_article(demo).items() if key in SUMMARY_KEYS}
    data = client.get("/api/v1/articles/?doi=https://doi.org/10.15826/RECON.2025.11.3.016").json()
    assert data["articles"] == [summary]


SUMMARY_KEYS = {
    "id",
    "slug",
    "url",
    "title",
    "standfirst",
    "published_at",
    "updated_at",
    "reading_time",
    "featured",
    "section",
    "hero_image",
}


def test_fields_narrow_the_article(client, demo):
    data = client.get("/api/v1/articles/russias-rare-earths-crossroads?fields=slug,signals").json()
    assert data == {"article": {"slug": demo.slug, "signals": expected_article(demo)["signals"]}}


def test_source_detail_lists_the_briefs_citing_it(client, demo):
    source = Source.objects.get(doi=MOCHALOVA["doi"])
    data = client.get(f"/api/v1/sources/{source.pk}").json()
    assert data == {
        "source": {
            **_source(source),
            "briefs": [
                {
                    "slug": "russias-rare-earths-crossroads",
                    "title": demo.title,
                    "url": f"{SITE}/news/russias-rare-earths-crossroads/",
                    "published_at": _iso(demo.published_at),
                }
            ],
        }
    }


def test_the_usgs_summary_is_a_report_by_an_organisation(client, demo):
    usgs = Source.objects.get(title="Mineral commodity summaries 2025")
    data = client.get(f"/api/v1/sources/{usgs.pk}").json()["source"]
    assert data == {
        "id": usgs.pk,
        "kind": "report",
        "kind_label": "Report",
        "title": "Mineral commodity summaries 2025",
        "authors": [{"type": "organisation", "name": "U.S. Geological Survey"}],
        "year": 2025,
        "container": "",
        "publisher": "",
        "institution": "U.S. Geological Survey",
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "10.3133/mcs2025",
        "doi_url": "https://doi.org/10.3133/mcs2025",
        "url": "https://pubs.usgs.gov/publication/mcs2025",
        "evidence": "report",
        "evidence_label": "Report",
        "page_url": f"{SITE}/sources/{usgs.pk}/",
        "briefs": data["briefs"],
    }
    assert data["briefs"], "the USGS summary is cited by a published demo brief"


def test_the_sources_list_filters_by_kind(client, demo):
    reports = client.get("/api/v1/sources/?kind=report&limit=100").json()["sources"]
    assert reports and {s["kind"] for s in reports} == {"report"}
    assert "Mineral commodity summaries 2025" in [s["title"] for s in reports]
    articles = client.get("/api/v1/sources/?kind=journal_article&limit=100").json()["sources"]
    assert MOCHALOVA["doi"] in [s["doi"] for s in articles]
    assert "Mineral commodity summaries 2025" not in [s["title"] for s in articles]
    assert client.get("/api/v1/sources/?kind=thesis").json()["sources"] == []
    error = client.get("/api/v1/sources/?kind=rumour")
    assert error.status_code == 400
    assert [e["parameter"] for e in error.json()["errors"]] == ["kind"]


def test_author_section_and_tag_details(client, demo):
    assert client.get("/api/v1/authors/daniel-hart").json() == {"author": DANIEL_HART}
    assert client.get("/api/v1/sections/research-briefs").json() == {
        "section": {
            "slug": "research-briefs",
            "name": "Research Briefs",
            "description": "Plain-language briefs of new papers and reports on rare earths.",
            "url": f"{SITE}/section/research-briefs/",
        }
    }
    assert client.get("/api/v1/tags/ndfeb").json() == {
        "tag": {"slug": "ndfeb", "name": "NdFeB", "url": f"{SITE}/tag/ndfeb/"}
    }


def test_sections_are_in_navigation_order(client, demo):
    slugs = [s["slug"] for s in client.get("/api/v1/sections/").json()["sections"]]
    assert slugs == ["research-briefs", "markets", "policy", "technology"]


# --- filters ---------------------------------------------------------------------------------


def _slugs(client, query):
    response = client.get(f"/api/v1/articles/?{query}&fields=slug&limit=100")
    assert response.status_code == 200, response.content
    return [a["slug"] for a in response.json()["articles"]]


def test_filters(client, demo):
    published = list(Article.objects.published().order_by("-published_at", "-id").values_list("slug", flat=True))
    assert _slugs(client, "order=-published_at") == published
    assert _slugs(client, "order=published_at") == published[::-1]
    assert _slugs(client, "section=research-briefs") == list(
        Article.objects.published()
        .filter(section__slug="research-briefs")
        .order_by("-published_at", "-id")
        .values_list("slug", flat=True)
    )
    assert _slugs(client, "author=daniel-hart&tag=russia") == [demo.slug]
    assert _slugs(client, "doi=10.15826/recon.2025.11.3.016") == [demo.slug]
    assert _slugs(client, "doi=10.9999/no.such.paper") == []
    assert demo.slug in _slugs(client, "evidence=peer_reviewed")
    assert demo.slug not in _slugs(client, "evidence=report")
    day = demo.published_at.date().isoformat()
    assert demo.slug in _slugs(client, f"published_from={day}&published_to={day}")
    assert demo.slug not in _slugs(client, f"published_to={(demo.published_at.date().replace(day=1)).isoformat()}")


def test_search_reuses_the_sites_search(client, demo):
    assert _slugs(client, "q=Ekaterinburg") == [demo.slug]
    assert _slugs(client, "q=Ekaterinburg -Russia") == []


def test_cursor_pages_cover_every_article_once_in_a_stable_order(client, demo):
    for order in ("-published_at", "published_at", "title", "-title"):
        seen, cursor = [], ""
        while True:
            data = client.get(f"/api/v1/articles/?order={order}&limit=3&fields=slug&cursor={cursor}").json()
            seen += [a["slug"] for a in data["articles"]]
            cursor = data["meta"]["pagination"]["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(Article.objects.published().values_list("slug", flat=True)), order
        assert len(seen) == len(set(seen))
    titles = _slugs(client, "order=title")
    assert titles == list(Article.objects.published().order_by("title", "id").values_list("slug", flat=True))


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("order=random", "order"),
        ("include=comments", "include"),
        ("fields=slug,password", "fields"),
        ("evidence=rumour", "evidence"),
        ("published_from=2025-02-30", "published_from"),
        ("published_from=yesterday", "published_from"),
        ("published_from=2025-03-01&published_to=2025-02-01", "published_to"),
        ("doi=not-a-doi", "doi"),
        ("cursor=garbage", "cursor"),
        ("q=%00", "q"),
        ("tag=a%00b", "tag"),
    ],
)
def test_every_bad_parameter_is_a_400_naming_it(client, demo, query, parameter):
    response = client.get(f"/api/v1/articles/?{query}")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["parameter"] for e in errors] == [parameter]
    assert errors[0]["code"] == "invalid_parameter" and errors[0]["message"].startswith(f"{parameter}: ")


def test_a_cursor_from_another_ordering_is_refused(client, demo):
    cursor = client.get("/api/v1/articles/?limit=1").json()["meta"]["pagination"]["next_cursor"]
    assert client.get(f"/api/v1/articles/?limit=1&cursor={cursor}").status_code == 200
    response = client.get(f"/api/v1/articles/?order=title&cursor={cursor}")
    assert response.status_code == 400 and response.json()["errors"][0]["parameter"] == "cursor"


def test_unknown_things_are_json_404s(client, demo):
    for url in ("/api/v1/articles/no-such-article", "/api/v1/sources/999999", "/api/v1/tags/nope", "/api/v2/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["errors"][0]["code"] == "not_found"
