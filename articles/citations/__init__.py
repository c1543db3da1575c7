"""Citations of a Source (and of a brief itself): CSL-JSON, formatted text from CSL styles, BibTeX, RIS,
download file names, and the BibTeX/RIS paste-in parsers.

Everything starts from one CSL-JSON item (`source_csl_json`): the formatted citations are rendered from
it by citeproc-py with the official CSL styles, and BibTeX and RIS are written from it, so no output can
say something another does not. The type in each vocabulary comes from articles/source_types.py.

One module per topic: items (the CSL-JSON item of a source or a brief), styles (citeproc rendering and its
cache), formats (BibTeX, RIS, CSL-JSON downloads and their file names) and paste (the paste-in parsers).
This package is their public façade: callers import from articles.citations.
"""

from articles.citations.formats import (
    article_export,
    citation_filename_stem,
    content_disposition,
    csl_to_bibtex,
    csl_to_ris,
    source_bibtex,
    source_content_disposition,
    source_ris,
)
from articles.citations.items import article_csl_json, citation_key, source_csl_json
from articles.citations.paste import source_fields_from_bibtex, source_fields_from_ris
from articles.citations.styles import (
    CITATION_STYLES,
    _memo,  # noqa: F401  (bench/citations.py clears the caches between runs)
    _style,  # noqa: F401
    article_citations,
    csl_html,
    csl_html_all,
    csl_text,
    source_apa,
    source_apa_html,
    source_citations,
)
from articles.doi import normalize_doi

__all__ = [
    "CITATION_STYLES",
    "article_citations",
    "article_csl_json",
    "article_export",
    "citation_filename_stem",
    "citation_key",
    "content_disposition",
    "csl_html",
    "csl_html_all",
    "csl_text",
    "csl_to_bibtex",
    "csl_to_ris",
    "normalize_doi",
    "source_apa",
    "source_apa_html",
    "source_bibtex",
    "source_citations",
    "source_content_disposition",
    "source_csl_json",
    "source_fields_from_bibtex",
    "source_fields_from_ris",
    "source_ris",
]
