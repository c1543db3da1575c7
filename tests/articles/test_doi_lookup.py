"""DOI look-up ("Fill from DOI"): Crossref or DataCite answers become Source fields; every failure is a clear
message; the admin endpoint fills, never saves. All against the local fake server, never the real services."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.doi_lookup import DoiLookupError, doi_lookup
from articles.models import Source
from tests.articles import doi_fake_server
from tests.articles.doi_fake_server import BUSY, GARBLED, MISSING, SLOW
from tests.factories import make_source, make_user

doi_server = doi_fake_server.doi_server
LOOKUP = reverse("admin:articles_source_lookup_doi")


def test_journal_article_from_crossref(doi_server, settings):
    service, fields = doi_lookup(doi="https://doi.org/10.15826/RECON.2025.11.3.016")
    assert service == "Crossref"
    assert fields == {
        "kind": "journal_article",
        "authors": "Mochalova, Lyudmila A.\nPodkorytov, Vladimir N.",
        "publisher": "Ural Federal University",
        "institution": "",
        "evidence": "peer_reviewed",
        "title": "Current trends and prospects in Russia’s rare earth metals industry",
        "container": "R-Economy",
        "year": 2025,
        "volume": "11",
        "issue": "3",
        "pages": "1–15",
        "doi": "10.15826/recon.2025.11.3.016",
    }
    # Polite: our identity and a mailto on every request.
    (request,) = doi_server.requests
    assert request["path"] == "/works/10.15826/recon.2025.11.3.016"
    assert request["query"] == "mailto=desk%40example.org"
    assert request["ua"] == f"Reex/1.0 ({settings.SITE_URL}; mailto:desk@example.org)"


def test_accented_names_and_markup_in_titles(doi_server):
    _, fields = doi_lookup(doi="10.1016/j.oregeorev.2025.106001")
    assert fields["authors"] == "Ødegård, Zoë\nNúñez-Ibáñez, José"
    assert fields["title"] == "Gadolinium in Norwegian carbonatites"
    assert (fields["year"], fields["pages"]) == (2025, "106001")


def test_report_with_an_organisation_author(doi_server):
    _, fields = doi_lookup(doi="10.3133/mcs2025")
    assert (fields["kind"], fields["authors"], fields["institution"], fields["publisher"]) == (
        "report",
        "org: U.S. Geological Survey",
        "US Geological Survey",
        "",
    )
    assert (fields["evidence"], fields["container"], fields["year"]) == ("report", "", 2025)


def test_book_chapter(doi_server):
    _, fields = doi_lookup(doi="10.1007/978-3-030-12345-6_7")
    assert (fields["kind"], fields["container"], fields["publisher"], fields["pages"]) == (
        "book_chapter",
        "Rare Earth Elements: Processing and Recycling",
        "Springer International Publishing",
        "101–118",
    )


def test_dataset_from_datacite_when_crossref_does_not_know_the_doi(doi_server):
    service, fields = doi_lookup(doi="doi:10.5281/ZENODO.1234567")
    assert service == "DataCite"
    assert fields["kind"] == "dataset"
    assert fields["authors"] == "王, 小明\norg: Geological Survey of Norway"
    assert (fields["publisher"], fields["year"], fields["evidence"]) == ("Zenodo", 2024, "dataset")
    assert [r["path"] for r in doi_server.requests] == ["/works/10.5281/zenodo.1234567", "/dois/10.5281/zenodo.1234567"]


@pytest.mark.parametrize(
    ("doi", "message"),
    [
        (MISSING, "No record of 10.9999/missing at Crossref or DataCite. Check the DOI"),
        (BUSY, "Crossref is limiting how often we may ask (too many requests). Wait a minute and try again."),
        (GARBLED, "Crossref sent an answer that could not be read (not valid JSON)."),
        (SLOW, "Crossref did not answer within 1 seconds. Try again in a moment, or fill the fields by hand."),
        ("not a doi", "“not a doi” is not a DOI."),
    ],
)
def test_each_failure_is_a_clear_message(doi_server, doi, message):
    with pytest.raises(DoiLookupError) as exc:
        doi_lookup(doi=doi)
    assert str(exc.value).startswith(message)


def test_an_unreachable_service_is_a_clear_message(settings):
    settings.DOI_CROSSREF_API_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.DOI_LOOKUP_TIMEOUT_SECONDS = 1
    with pytest.raises(DoiLookupError) as exc:
        doi_lookup(doi="10.3133/mcs2025")
    assert str(exc.value) == "Crossref could not be reached. Try again later, or fill the fields by hand."


# --- The admin endpoint ----------------------------------------------------------------------------


@pytest.fixture
def editor_client(db):
    client = Client()
    client.force_login(make_user(username="editor1", groups=["Editors"], is_staff=True))
    return client


@pytest.mark.django_db
def test_admin_lookup_returns_fields_and_saves_nothing(editor_client, doi_server):
    response = editor_client.get(LOOKUP, {"doi": "10.3133/mcs2025"})
    assert response.status_code == 200
    data = response.json()
    assert data["fields"]["authors"] == "org: U.S. Geological Survey"
    assert data["message"] == "Filled from Crossref. Check every field before you save."
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_admin_lookup_warns_when_the_doi_is_already_recorded(editor_client, doi_server):
    existing = make_source(doi="10.3133/mcs2025", title="Mineral commodity summaries 2025")
    data = editor_client.get(LOOKUP, {"doi": "10.3133/mcs2025"}).json()
    assert "this DOI is already recorded" in data["message"]
    # Not when the editor is looking up the source they are editing.
    data = editor_client.get(LOOKUP, {"doi": "10.3133/mcs2025", "pk": str(existing.pk)}).json()
    assert data["message"] == "Filled from Crossref. Check every field before you save."
    assert editor_client.get(LOOKUP, {"doi": "10.3133/mcs2025", "pk": "x"}).status_code == 200


@pytest.mark.django_db
def test_admin_lookup_failure_is_a_422_with_the_message(editor_client, doi_server):
    response = editor_client.get(LOOKUP, {"doi": BUSY})
    assert response.status_code == 422
    assert response.json() == {
        "error": "Crossref is limiting how often we may ask (too many requests). Wait a minute and try again."
    }


@pytest.mark.django_db
def test_admin_lookup_is_for_staff_only(doi_server):
    response = Client().get(LOOKUP, {"doi": "10.3133/mcs2025"})
    assert response.status_code == 302
    assert doi_server.requests == []
