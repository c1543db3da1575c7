"""What a source is, in every vocabulary we write: schema.org, CSL, BibTeX and RIS; and who wrote it.

One table decides the type in each output, so the JSON-LD, CSL-JSON, BibTeX and RIS of a source can
never disagree (the bug this replaced: every source was a schema.org ScholarlyArticle while its CSL-JSON
said "report"). BibTeX types are biblatex's where classic BibTeX has none (@dataset, @online,
@standard, @legislation); a news article is biblatex's @article with `entrysubtype = {newspaper}`.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class KindMapping:
    schema: str  # schema.org @type of the work
    schema_container: str  # schema.org @type of what it is part of (isPartOf)
    csl: str
    bibtex: str
    ris: str
    bibtex_container: str  # the BibTeX field that holds the container
    scholarly: bool  # a paper, for the reader ("Briefs based on this paper")


KINDS: dict[str, KindMapping] = {
    "journal_article": KindMapping(
        "ScholarlyArticle", "Periodical", "article-journal", "article", "JOUR", "journal", True
    ),
    "report": KindMapping("Report", "CreativeWorkSeries", "report", "techreport", "RPRT", "series", False),
    "book": KindMapping("Book", "BookSeries", "book", "book", "BOOK", "series", False),
    "book_chapter": KindMapping("Chapter", "Book", "chapter", "incollection", "CHAP", "booktitle", False),
    "dataset": KindMapping("Dataset", "DataCatalog", "dataset", "dataset", "DATA", "series", False),
    "preprint": KindMapping("ScholarlyArticle", "Periodical", "article", "unpublished", "UNPB", "journal", True),
    "thesis": KindMapping("Thesis", "CreativeWorkSeries", "thesis", "phdthesis", "THES", "series", True),
    "conference_paper": KindMapping(
        "ScholarlyArticle", "Book", "paper-conference", "inproceedings", "CPAPER", "booktitle", True
    ),
    "standard": KindMapping("CreativeWork", "CreativeWorkSeries", "standard", "standard", "STAND", "series", False),
    "legislation": KindMapping("Legislation", "Periodical", "legislation", "legislation", "LEGAL", "journal", False),
    "news_article": KindMapping("NewsArticle", "Newspaper", "article-newspaper", "article", "NEWS", "journal", False),
    "web_page": KindMapping("WebPage", "WebSite", "webpage", "online", "ELEC", "organization", False),
}
DEFAULT_KIND = "journal_article"


def kind_mapping(kind: str) -> KindMapping:
    return KINDS.get(kind) or KINDS[DEFAULT_KIND]


def kind_from_bibtex(entry_type: str, fields: dict) -> str:
    entry_type = entry_type.lower()
    if entry_type == "article":
        return "news_article" if fields.get("entrysubtype", "").lower() == "newspaper" else "journal_article"
    if entry_type in ("misc", "unpublished") and (fields.get("archiveprefix") or fields.get("eprint")):
        return "preprint"
    aliases = {
        "report": "report",
        "mastersthesis": "thesis",
        "thesis": "thesis",
        "conference": "conference_paper",
        "inbook": "book_chapter",
        "incollection": "book_chapter",
        "www": "web_page",
        "electronic": "web_page",
        "data": "dataset",
    }
    for kind, mapping in KINDS.items():
        if mapping.bibtex == entry_type and kind != "news_article":
            return kind
    return aliases.get(entry_type, "report" if fields.get("institution") else "web_page")


_RIS_ALIASES = {
    "JFULL": "journal_article",
    "EJOUR": "journal_article",
    "GOVDOC": "report",
    "DBASE": "dataset",
    "EBOOK": "book",
    "ECHAP": "book_chapter",
    "CONF": "conference_paper",
    "STAT": "legislation",
    "BILL": "legislation",
    "MGZN": "news_article",
    "BLOG": "web_page",
    "WEB": "web_page",
}


def kind_from_ris(ris_type: str) -> str:
    for kind, mapping in KINDS.items():
        if mapping.ris == ris_type:
            return kind
    return _RIS_ALIASES.get(ris_type, "web_page" if ris_type == "GEN" else DEFAULT_KIND)


# --- Authors -------------------------------------------------------------------------------------

ORG_MARKER = re.compile(r"^org:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Creator:
    """An author: a person (family + given names) or an organisation (one literal name)."""

    family: str = ""
    given: str = ""
    organisation: str = ""

    @property
    def is_organisation(self) -> bool:
        return bool(self.organisation)

    @property
    def family_or_name(self) -> str:
        return self.organisation or self.family

    @property
    def display_name(self) -> str:
        """The name in reading order: "Lyudmila A. Mochalova"; CJK names keep family first, unspaced."""
        if self.organisation:
            return self.organisation
        if not self.given:
            return self.family
        if is_cjk(self.family):
            return f"{self.family}{self.given}"
        return f"{self.given} {self.family}"

    def as_line(self) -> str:
        """The stored form of one author line."""
        if self.organisation:
            return f"org: {self.organisation}"
        return f"{self.family}, {self.given}" if self.given else f"{self.family},"


def is_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff" for ch in text)


def parse_author_line(line: str) -> Creator:
    """One stored line as a Creator. A legacy line with neither comma nor marker is an organisation,
    as it always was (the data migration marks them; the form no longer accepts new ones)."""
    line = " ".join(line.split())
    if ORG_MARKER.match(line):
        return Creator(organisation=ORG_MARKER.sub("", line))
    if "," in line:
        family, given = line.split(",", 1)
        return Creator(family=family.strip(), given=given.strip())
    return Creator(organisation=line)


def parse_authors(text: str) -> list[Creator]:
    return [parse_author_line(line) for line in (text or "").splitlines() if line.strip()]


def authors_text(creators: list[Creator]) -> str:
    return "\n".join(c.as_line() for c in creators)


def check_authors(text: str) -> None:
    """Each line must say whether it is a person or an organisation; raise ValidationError naming the lines."""
    unmarked = []
    for line in (text or "").splitlines():
        line = line.strip()
        marked_org = bool(ORG_MARKER.match(line))
        if (line and "," not in line and not marked_org) or (marked_org and not ORG_MARKER.sub("", line).strip()):
            unmarked.append(line)
    if unmarked:
        raise ValidationError(
            "Say whether each author is a person or an organisation: write a person as “Family, Given names” "
            "(one name only: “Name,”) and an organisation as “org: Name”. Not clear: %(lines)s.",
            code="unmarked_author",
            params={"lines": "; ".join(f"“{line[:80]}”" for line in unmarked[:5])},
        )
