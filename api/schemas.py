"""The documented shape of every response, for the OpenAPI schema (django-ninja reads these type hints).

The views build their JSON in api.representations; schemathesis checks in the
test suite that every response matches what is declared here. Keys of an
article are NotRequired because `fields` and `include` choose them.
"""

from typing import Literal, NotRequired, TypedDict


class Error(TypedDict):
    code: str
    message: str
    parameter: NotRequired[str]


class Errors(TypedDict):
    errors: list[Error]


class SectionRef(TypedDict):
    slug: str
    name: str


class Section(TypedDict):
    slug: str
    name: str
    description: str
    url: str


class Author(TypedDict):
    slug: str
    name: str
    bio: str
    photo: str | None
    url: str


class Tag(TypedDict):
    slug: str
    name: str
    url: str


class SourceAuthor(TypedDict):
    type: Literal["person", "organisation"]
    name: str
    family: NotRequired[str]
    given: NotRequired[str]


SourceKind = Literal[
    "journal_article",
    "report",
    "book",
    "book_chapter",
    "dataset",
    "preprint",
    "thesis",
    "conference_paper",
    "standard",
    "legislation",
    "news_article",
    "web_page",
]


class Source(TypedDict):
    id: int
    kind: SourceKind
    kind_label: str
    title: str
    authors: list[SourceAuthor]
    year: int | None
    container: str
    publisher: str
    institution: str
    volume: str
    issue: str
    pages: str
    doi: str | None
    doi_url: str | None
    url: str | None
    evidence: Literal["peer_reviewed", "preprint", "report", "dataset", "other"]
    evidence_label: str
    page_url: str


class BriefRef(TypedDict):
    slug: str
    title: str
    url: str
    published_at: str


class SourceWithBriefs(Source):
    briefs: NotRequired[list[BriefRef]]


class HeroImage(TypedDict):
    url: str
    alt: str
    caption: str
    credit: str


class Finding(TypedDict):
    headline: str
    explanation_html: str


class FreeSection(TypedDict):
    heading: str
    body_html: str


class Signal(TypedDict):
    kind: Literal["solid", "speculative"]
    text: str


class Limitation(TypedDict):
    label: str
    text: str


class Correction(TypedDict):
    date: str
    text: str


class Article(TypedDict):
    id: NotRequired[int]
    slug: NotRequired[str]
    url: NotRequired[str]
    title: NotRequired[str]
    standfirst: NotRequired[str]
    published_at: NotRequired[str]
    updated_at: NotRequired[str | None]
    reading_time: NotRequired[int]
    featured: NotRequired[bool]
    section: NotRequired[SectionRef | None]
    hero_image: NotRequired[HeroImage | None]
    authors: NotRequired[list[Author]]
    tags: NotRequired[list[Tag]]
    highlights: NotRequired[list[str]]
    intro_html: NotRequired[str]
    findings: NotRequired[list[Finding]]
    sections: NotRequired[list[FreeSection]]
    signals: NotRequired[list[Signal]]
    limitations: NotRequired[list[Limitation]]
    bottom_line_html: NotRequired[str]
    corrections: NotRequired[list[Correction]]
    sources: NotRequired[list[Source]]


class Page(TypedDict):
    limit: int
    next_cursor: str | None


class Meta(TypedDict):
    pagination: Page


class ArticleList(TypedDict):
    articles: list[Article]
    meta: Meta


class ArticleDetail(TypedDict):
    article: Article


class SourceList(TypedDict):
    sources: list[SourceWithBriefs]
    meta: Meta


class SourceDetail(TypedDict):
    source: SourceWithBriefs


class AuthorList(TypedDict):
    authors: list[Author]
    meta: Meta


class AuthorDetail(TypedDict):
    author: Author


class SectionList(TypedDict):
    sections: list[Section]


class SectionDetail(TypedDict):
    section: Section


class TagList(TypedDict):
    tags: list[Tag]
    meta: Meta


class TagDetail(TypedDict):
    tag: Tag
