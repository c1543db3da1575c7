"""The Source admin: paste a BibTeX or RIS entry to fill the record; see every article citing it."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Citation, Source
from tests.factories import make_article, make_source, make_user

pytestmark = pytest.mark.django_db
ADD = reverse("admin:articles_source_add")
EMPTY = {
    "paste": "",
    "authors": "",
    "year": "",
    "title": "",
    "container": "",
    "volume": "",
    "issue": "",
    "pages": "",
    "doi": "",
    "url": "",
    "evidence": "peer_reviewed",
}
BIBTEX = """@article{mochalova2025,
  author  = {Mochalova, Lyudmila A. and Podkorytov, Vladimir N.},
  title   = {Current trends and prospects in Russia's rare earth metals industry},
  journal = {URFU Journal Portal},
  year    = {2025},
  volume  = {11},
  number  = {3},
  doi     = {https://doi.org/10.15826/recon.2025.11.3.016}
}"""
RIS = (
    "TY  - RPRT\nAU  - U.S. Geological Survey\nTI  - Mineral Commodity Summaries 2025\n"
    "PB  - U.S. Geological Survey\nPY  - 2025\nUR  - https://pubs.usgs.gov/publication/mcs2025\nER  - \n"
)


@pytest.fixture
def client():
    client = Client()
    client.force_login(make_user(username="editor1", groups=["Editors"], is_staff=True))
    return client


def test_pasting_bibtex_fills_and_saves_the_record(client):
    response = client.post(ADD, {**EMPTY, "paste": BIBTEX}, follow=True)
    assert "The record was filled from the pasted entry" in response.content.decode()
    source = Source.objects.get()
    assert source.authors == "Mochalova, Lyudmila A.\nPodkorytov, Vladimir N."
    assert (source.year, source.volume, source.issue) == (2025, "11", "3")
    assert source.doi == "10.15826/recon.2025.11.3.016"
    assert source.evidence == "peer_reviewed"


def test_pasting_ris_fills_a_report(client):
    client.post(ADD, {**EMPTY, "paste": RIS})
    source = Source.objects.get()
    assert (source.title, source.evidence, source.url) == (
        "Mineral Commodity Summaries 2025",
        "report",
        "https://pubs.usgs.gov/publication/mcs2025",
    )


@pytest.mark.parametrize(
    ("paste", "message"),
    [
        ("@article{broken, title={never closed", "This BibTeX entry could not be read"),
        ("TY  - JOUR\nTI  - no end\n", "No RIS record found"),
        ("Mochalova 2025 Current trends", "neither a BibTeX entry"),
    ],
)
def test_malformed_paste_is_a_clear_error_and_the_text_stays(client, paste, message):
    response = client.post(ADD, {**EMPTY, "paste": paste})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "never closed" in html or "no end" in html or "Mochalova 2025" in html
    assert Source.objects.count() == 0


def test_invalid_doi_typed_by_hand_is_a_field_error(client):
    response = client.post(ADD, {**EMPTY, "authors": "Smith, A", "title": "T", "doi": "10.12/has space"})
    assert "is not a DOI" in response.content.decode()
    assert Source.objects.count() == 0


def test_duplicate_doi_in_another_form_is_refused(client):
    make_source(doi="10.15826/recon.2025.11.3.016")
    response = client.post(
        ADD, {**EMPTY, "authors": "Smith, A", "title": "T", "doi": "https://doi.org/10.15826/RECON.2025.11.3.016"}
    )
    assert "Source with this DOI already exists." in response.content.decode()
    assert Source.objects.count() == 1


def test_change_page_lists_every_article_citing_the_source_and_its_apa(client):
    source = make_source(title="Shared paper")
    one = make_article(title="First brief of it")
    two = make_article(title="Second brief of it")
    for article in (one, two):
        Citation.objects.create(article=article, source=source)
    html = client.get(reverse("admin:articles_source_change", args=[source.pk])).content.decode()
    assert "First brief of it" in html and "Second brief of it" in html
    assert reverse("admin:articles_article_change", args=[one.pk]) in html
    assert "<i>URFU Journal Portal</i>" in html
    changelist = client.get(reverse("admin:articles_source_changelist")).content.decode()
    assert '<td class="field-citing_count">2</td>' in changelist
