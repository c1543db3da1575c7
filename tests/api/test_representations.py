"""A source's authors and DOI link in the API: the articles app's own parsing and encoding, for every kind of
name and every DOI the Handbook allows (not only the demo's)."""

from urllib.parse import quote

import pytest

from articles.models import Citation, Source
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db

# An old Wiley SICI DOI: `<`, `>` and `#` must be percent-encoded in the link, or the browser cuts it at `#`.
SICI = "10.1002/(SICI)1521-3773(20000103)39:1<146::AID-ANIE146>3.0.CO;2-#"
SICI_STORED = "10.1002/(sici)1521-3773(20000103)39:1<146::aid-anie146>3.0.co;2-#"
SICI_URL = "https://doi.org/10.1002/(sici)1521-3773(20000103)39:1%3C146::aid-anie146%3E3.0.co;2-%23"


def _cited(**fields) -> Source:
    source = make_source(**fields)
    Citation.objects.create(article=make_article(), source=source, position=1)
    return source


def _get(client, source):
    response = client.get(f"/api/v1/sources/{source.pk}")
    assert response.status_code == 200
    return response.json()["source"]


def test_an_organisation_author_is_one_name_not_family_and_given(client):
    source = _cited(
        kind=Source.Kind.REPORT,
        authors="org: U.S. Geological Survey\norg: Geological Survey, Department of the Interior",
        institution="U.S. Geological Survey",
        publisher="U.S. Government Publishing Office",
    )
    data = _get(client, source)
    assert data["authors"] == [
        {"type": "organisation", "name": "U.S. Geological Survey"},
        # A comma inside an organisation's name does not make it a person.
        {"type": "organisation", "name": "Geological Survey, Department of the Interior"},
    ]
    assert (data["kind"], data["kind_label"], data["institution"], data["publisher"]) == (
        "report",
        "Report",
        "U.S. Geological Survey",
        "U.S. Government Publishing Office",
    )


def test_people_are_named_in_reading_order_cjk_family_first(client):
    source = _cited(authors="Müller-Lüdenscheidt, José Ángel\n王, 小明\nAristotle,\n  Mochalova ,  Lyudmila A. ")
    assert _get(client, source)["authors"] == [
        {
            "type": "person",
            "family": "Müller-Lüdenscheidt",
            "given": "José Ángel",
            "name": "José Ángel Müller-Lüdenscheidt",
        },
        {"type": "person", "family": "王", "given": "小明", "name": "王小明"},
        {"type": "person", "family": "Aristotle", "given": "", "name": "Aristotle"},
        {"type": "person", "family": "Mochalova", "given": "Lyudmila A.", "name": "Lyudmila A. Mochalova"},
    ]


def test_a_legacy_line_without_comma_or_marker_is_an_organisation(client):
    source = _cited(authors="International Energy Agency")
    assert _get(client, source)["authors"] == [{"type": "organisation", "name": "International Energy Agency"}]


def test_a_sici_doi_gives_a_percent_encoded_link(client):
    source = _cited(doi=SICI)
    data = _get(client, source)
    assert (data["doi"], data["doi_url"]) == (SICI_STORED, SICI_URL)
    # The same DOI, typed or pasted as a link, finds the source and the articles citing it.
    for given in (SICI, SICI_URL, f"doi:{SICI.upper()}"):
        listed = client.get(f"/api/v1/sources/?doi={quote(given, safe='')}").json()["sources"]
        assert [s["id"] for s in listed] == [source.pk]
        assert listed[0]["doi_url"] == SICI_URL
    articles = client.get(f"/api/v1/articles/?doi={quote(SICI, safe='')}&include=sources").json()["articles"]
    assert [s["doi_url"] for s in articles[0]["sources"]] == [SICI_URL]


def test_a_source_without_doi_has_no_doi_link(client):
    source = _cited(doi=None, url="https://www.iea.org/reports/x")
    data = _get(client, source)
    assert (data["doi"], data["doi_url"], data["url"]) == (None, None, "https://www.iea.org/reports/x")


def test_the_schema_lists_every_source_kind_the_model_has(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Source"]["properties"]["kind"]["enum"] == list(Source.Kind.values)
