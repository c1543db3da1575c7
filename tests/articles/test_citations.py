import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from articles.citations import (
    normalize_doi,
    source_apa,
    source_apa_html,
    source_bibtex,
    source_csl_json,
    source_fields_from_bibtex,
    source_fields_from_ris,
    source_ris,
)
from articles.models import Source

SEED_DOI = "10.15826/recon.2025.11.3.016"


def seed_source(**extra):
    fields = {
        "authors": "Mochalova, Lyudmila A.\nPodkorytov, Vladimir N.",
        "year": 2025,
        "title": "Current trends and prospects in Russia’s rare earth metals industry",
        "container": "URFU Journal Portal",
        "doi": SEED_DOI,
        "evidence": Source.Evidence.PEER_REVIEWED,
    }
    fields.update(extra)
    return Source(**fields)


# --- DOI -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        SEED_DOI,
        f"  {SEED_DOI}  ",
        f"doi:{SEED_DOI}",
        f"DOI: {SEED_DOI}",
        f"https://doi.org/{SEED_DOI}",
        f"http://dx.doi.org/{SEED_DOI}",
        f"https://dx.doi.org/{SEED_DOI}",
        f"doi.org/{SEED_DOI}",
        "10.15826/RECON.2025.11.3.016",
    ],
)
def test_normalize_doi_accepts_every_common_form(value):
    assert normalize_doi(value) == SEED_DOI


def test_normalize_doi_keeps_parentheses_and_semicolons():
    assert normalize_doi("https://doi.org/10.1002/(SICI)1097-4571(199806)49:8;2-X") == (
        "10.1002/(sici)1097-4571(199806)49:8;2-x"
    )


def test_normalize_doi_decodes_percent_encoded_links():
    assert normalize_doi("https://doi.org/10.1000/abc%28def%29") == "10.1000/abc(def)"


@pytest.mark.parametrize(
    "value",
    ["", "hello", "11.1234/abc", "10.1234/", "10.1234/has space", "https://example.com/10.1234/x"],
)
def test_normalize_doi_rejects_what_is_not_a_doi(value):
    with pytest.raises(ValidationError) as exc:
        normalize_doi(value)
    assert "is not a DOI" in exc.value.messages[0]
    assert "10.15826/recon.2025.11.3.016" in exc.value.messages[0]


@pytest.mark.django_db
def test_source_save_stores_the_bare_doi_and_doi_url_links_it():
    source = seed_source(doi=f"https://doi.org/{SEED_DOI.upper()}")
    source.save()
    source.refresh_from_db()
    assert source.doi == SEED_DOI
    assert source.doi_url == f"https://doi.org/{SEED_DOI}"


@pytest.mark.django_db
def test_source_blank_doi_is_stored_as_null_so_many_sources_may_lack_one():
    seed_source(doi="").save()
    seed_source(doi="  ", title="Another").save()
    assert list(Source.objects.values_list("doi", flat=True)) == [None, None]


@pytest.mark.django_db
def test_source_clean_puts_an_invalid_doi_error_on_the_doi_field():
    source = seed_source(doi="not-a-doi")
    with pytest.raises(ValidationError) as exc:
        source.full_clean()
    assert list(exc.value.message_dict) == ["doi"]
    assert "is not a DOI" in exc.value.message_dict["doi"][0]


@pytest.mark.django_db
def test_source_save_refuses_an_invalid_doi():
    with pytest.raises(ValidationError):
        seed_source(doi="nonsense").save()
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_doi_is_unique_whatever_form_it_was_typed_in():
    seed_source().save()
    duplicate = seed_source(doi=f"https://doi.org/{SEED_DOI.upper()}", title="Same paper again")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "doi" in exc.value.message_dict
    with pytest.raises(IntegrityError):
        duplicate.save()


# --- APA ---------------------------------------------------------------------------------------


def test_apa_matches_the_reference_page():
    assert source_apa(seed_source()) == (
        "Mochalova, L. A., & Podkorytov, V. N. (2025). Current trends and prospects in Russia’s rare earth "
        "metals industry. URFU Journal Portal. https://doi.org/10.15826/recon.2025.11.3.016"
    )


def test_apa_html_italicises_the_journal_links_the_doi_and_escapes():
    source = seed_source(title="Rare <b>earths</b> & magnets", container="Minerals & Co")
    assert source_apa_html(source) == (
        "Mochalova, L. A., &amp; Podkorytov, V. N. (2025). Rare &lt;b&gt;earths&lt;/b&gt; &amp; magnets. "
        "<i>Minerals &amp; Co</i>. "
        '<a href="https://doi.org/10.15826/recon.2025.11.3.016" rel="noopener">'
        "https://doi.org/10.15826/recon.2025.11.3.016</a>"
    )


def test_apa_single_author_volume_issue_pages():
    source = seed_source(
        authors="Smith, Jean-Paul", container="Minerals", volume="12", issue="4", pages="101-118", year=2024
    )
    assert source_apa(source) == (
        "Smith, J.-P. (2024). Current trends and prospects in Russia’s rare earth metals industry. "
        "Minerals, 12(4), 101–118. https://doi.org/10.15826/recon.2025.11.3.016"
    )


def test_apa_report_by_an_organisation_without_doi_or_year():
    source = seed_source(
        kind=Source.Kind.REPORT,
        authors="org: International Energy Agency",
        year=None,
        title="Global Critical Minerals Outlook",
        container="",
        institution="IEA",
        doi=None,
        url="https://www.iea.org/reports/global-critical-minerals-outlook-2024",
        evidence=Source.Evidence.REPORT,
    )
    # APA 7 (official style): a report's title is italic, and an undated web document says "Retrieved".
    assert source_apa(source) == (
        "International Energy Agency. (n.d.). Global Critical Minerals Outlook. IEA. "
        "Retrieved https://www.iea.org/reports/global-critical-minerals-outlook-2024"
    )
    assert source_apa_html(source).startswith(
        "International Energy Agency. (n.d.). <i>Global Critical Minerals Outlook</i>. IEA."
    )


def test_apa_three_authors_and_twenty_one_authors():
    three = seed_source(authors="A, Ann\nB, Bob\nC, Cy")
    assert source_apa(three).startswith("A, A., B, B., & C, C. (2025).")
    many = seed_source(authors="\n".join(f"Author{i}, X" for i in range(1, 22)))
    text = source_apa(many)
    assert text.startswith("Author1, X., Author2, X.,")
    assert "Author19, X., … Author21, X. (2025)." in text
    assert "Author20" not in text


# --- Exports ----------------------------------------------------------------------------------


def test_bibtex_export_round_trips_through_the_parser():
    source = seed_source(volume="11", issue="3", pages="1–15")
    text = source_bibtex(source)
    assert text.startswith("@article{mochalova2025current,\n")
    assert "  author = {Mochalova, Lyudmila A. and Podkorytov, Vladimir N.},\n" in text
    assert "  doi = {10.15826/recon.2025.11.3.016},\n" in text
    assert source_fields_from_bibtex(text) == {
        "kind": "journal_article",
        "publisher": "",
        "institution": "",
        "citation_key": "mochalova2025current",
        "authors": "Mochalova, Lyudmila A.\nPodkorytov, Vladimir N.",
        "year": 2025,
        "title": "Current trends and prospects in Russia’s rare earth metals industry",
        "container": "URFU Journal Portal",
        "volume": "11",
        "issue": "3",
        "pages": "1–15",
        "doi": SEED_DOI,
        "url": "",
        "evidence": "peer_reviewed",
    }


def test_ris_export_round_trips_through_the_parser():
    source = seed_source(volume="11", issue="3", pages="1–15")
    text = source_ris(source)
    assert text.splitlines()[:3] == ["TY  - JOUR", "AU  - Mochalova, Lyudmila A.", "AU  - Podkorytov, Vladimir N."]
    assert text.endswith("ER  - \n")
    fields = source_fields_from_ris(text)
    assert fields["authors"] == "Mochalova, Lyudmila A.\nPodkorytov, Vladimir N."
    assert (fields["year"], fields["doi"], fields["pages"], fields["evidence"]) == (
        2025,
        SEED_DOI,
        "1–15",
        "peer_reviewed",
    )
    assert fields["container"] == "URFU Journal Portal"


def test_csl_json():
    assert source_csl_json(seed_source()) == {
        "id": "mochalova2025current",
        "type": "article-journal",
        "title": "Current trends and prospects in Russia’s rare earth metals industry",
        "author": [{"family": "Mochalova", "given": "Lyudmila A."}, {"family": "Podkorytov", "given": "Vladimir N."}],
        "issued": {"date-parts": [[2025]]},
        "container-title": "URFU Journal Portal",
        "DOI": SEED_DOI,
        "URL": f"https://doi.org/{SEED_DOI}",
    }


def test_csl_json_report_uses_publisher_and_literal_organisation_name():
    data = source_csl_json(
        seed_source(
            kind="report",
            authors="org: USGS",
            container="",
            institution="U.S. Geological Survey",
            evidence="report",
            doi=None,
            url="",
        )
    )
    assert data["type"] == "report"
    assert data["author"] == [{"literal": "USGS"}]
    assert data["publisher"] == "U.S. Geological Survey"
    assert "container-title" not in data
    assert "DOI" not in data and "URL" not in data


# --- Paste-in parsers ---------------------------------------------------------------------------


def test_bibtex_paste_with_latex_accents_and_given_family_names():
    fields = source_fields_from_bibtex(
        """@techreport{usgs2025,
          author = {Jos{\\'e} Mar{\\'i}a Garc{\\'i}a and Smith, Ann},
          title = {Mineral Commodity Summaries 2025},
          institution = {U.S. Geological Survey},
          year = 2025,
          url = {https://pubs.usgs.gov/publication/mcs2025},
        }"""
    )
    assert fields["authors"] == "García, José María\nSmith, Ann"
    assert (fields["kind"], fields["evidence"]) == ("report", "report")
    assert (fields["institution"], fields["container"], fields["publisher"]) == ("U.S. Geological Survey", "", "")
    assert fields["citation_key"] == "usgs2025"
    assert fields["year"] == 2025
    assert fields["doi"] == ""
    assert fields["url"] == "https://pubs.usgs.gov/publication/mcs2025"


def test_bibtex_paste_arxiv_entry_is_a_preprint():
    fields = source_fields_from_bibtex(
        "@misc{x, author={Lee, K.}, title={Magnet recycling}, year={2024}, eprint={2401.00001}, archivePrefix={arXiv}}"
    )
    assert fields["evidence"] == "preprint"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste a BibTeX entry"),
        ("just some words", "No BibTeX entry found"),
        ("@article{x, title={unclosed", "could not be read"),
        ("@article{x, author={A, B}, year={2020}}", "has no title"),
        ("@article{x, title={T}, doi={banana}}", "DOI is not valid"),
    ],
)
def test_bibtex_paste_malformed_gives_a_clear_error(text, message):
    with pytest.raises(ValidationError) as exc:
        source_fields_from_bibtex(text)
    assert message in exc.value.messages[0]


def test_ris_paste_with_doi_link_and_report_type():
    fields = source_fields_from_ris(
        "TY  - RPRT\nAU  - International Energy Agency\nTI  - Critical Minerals Outlook\nPB  - IEA\n"
        "PY  - 2024/05/17/\nUR  - https://doi.org/10.1787/ABC123\nER  - \n"
    )
    assert fields["authors"] == "org: International Energy Agency"
    assert (fields["evidence"], fields["year"], fields["doi"], fields["url"]) == ("report", 2024, "10.1787/abc123", "")
    assert (fields["kind"], fields["institution"], fields["container"]) == ("report", "IEA", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste a RIS record"),
        ("garbage that is not RIS", "No RIS record found"),
        ("TY  - JOUR\nTI  - never ends\n", "No RIS record found"),
        ("TY  - JOUR\nAU  - Smith, A\nER  - \n", "has no title"),
    ],
)
def test_ris_paste_malformed_gives_a_clear_error(text, message):
    with pytest.raises(ValidationError) as exc:
        source_fields_from_ris(text)
    assert message in exc.value.messages[0]
