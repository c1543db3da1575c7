"""The reader's search: the form that reads /search/?q=..., the ranked query, snippets and "Did you mean".

The vector is stored and GIN-indexed with the `reex_english` configuration
(unaccent + English stemming, see articles.search); this module only matches,
ranks, counts, suggests and cuts snippets. The query uses PostgreSQL's
`websearch` syntax, so readers can type "rare earth" -china or separation OR refining.

Speed at 100k articles comes from never reading a wide article row for a match:
- one query, on the narrow `articles_searchentry` (migration 0006), finds the
  newest RANK_WINDOW + 1 matches: their number is the count, capped ("1,000+
  briefs found"), and the newest RANK_WINDOW come back in rank order (an article
  too old to be among them is still found by a narrower query or a filter);
- the ten articles of the page are then loaded as cards by primary key;
- one query counts, within the ranked matches (at most RANK_WINDOW), how many each section,
  tag, source type and year has: the filters' "Policy (12)" (`search_facets`);
- snippets are cut in Python from the ten shown articles' rendered text, and one
  SQL statement marks the matching words in their sentences.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article, BriefSection, Citation, Finding, Highlight, Limitation, Section, Signal, Source
from articles.queries import with_bylines
from articles.search import SEARCH_CONFIG, WORD_LENGTHS

MAX_QUERY_LENGTH = 200
# How many of the newest matches are ranked; also where counting stops.
RANK_WINDOW = 1000
# Fewer matches than this and the page offers a corrected query, if one finds something. Only for
# nothing found: a search's cost in queries stays the same whatever the archive holds.
SUGGEST_BELOW = 1
SNIPPET_WORDS = 40
# Private-use characters: they never occur in articles, so they mark the
# highlighted words safely until the snippet has been escaped.
_MARK_START, _MARK_END = "\ue000", "\ue001"


class SearchForm(forms.Form):
    # No max_length here: clean_q explains an overlong query instead of Django's generic message.
    q = forms.CharField(label="Search for", required=False, strip=True)
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(), to_field_name="slug", required=False, empty_label="All sections"
    )
    tag = forms.SlugField(required=False, label="Tag")
    kind = forms.ChoiceField(
        choices=[("", "All source types"), *Source.Kind.choices], required=False, label="Source type"
    )
    year = forms.IntegerField(required=False, min_value=1900, max_value=2999, label="Year")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )

    def clean_q(self):
        # NUL cannot be sent to PostgreSQL.
        q = self.cleaned_data["q"].replace("\x00", "")
        if len(q) > MAX_QUERY_LENGTH:
            raise forms.ValidationError(
                f"Your search is {len(q):,} characters long; the limit is {MAX_QUERY_LENGTH}. "
                "Search for a few distinctive words instead, such as a mineral, a company or a place.",
                code="too_long",
            )
        return q

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def has_words(self) -> bool:
        """False for an empty query or one of only punctuation: nothing to look for."""
        return bool(re.search(r"\w", self.cleaned_data.get("q", "")))

    def filters(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) or None for name in ("section", "tag", "kind", "year", "date_from", "date_to")}


def _query(q):
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)


def search_matches(q, *, section=None, tag=None, kind=None, year=None, date_from=None, date_to=None):
    """Published articles matching `q` and the filters: the bare set (no ranking, no cards)."""
    matches = Article.objects.published().filter(search_vector=_query(q))
    if section is not None:
        matches = matches.filter(section=section)
    if tag:
        matches = matches.filter(tags__slug=tag)
    if kind:
        matches = matches.filter(Exists(Citation.objects.filter(article=OuterRef("pk"), source__kind=kind)))
    if year:
        matches = matches.filter(published_at__year=year)
    if date_from:
        matches = matches.filter(published_at__date__gte=date_from)
    if date_to:
        matches = matches.filter(published_at__date__lte=date_to)
    return matches


def search_ranked_ids(
    q, *, section=None, tag=None, kind=None, year=None, date_from=None, date_to=None, cap=RANK_WINDOW
):
    """(number of matches up to cap + 1, ids of the newest `cap` matches in rank order): one query.

    The rank is the title and standfirst's (weights A and B), then the newest first; an article
    matched only in the body ranks by date. Reads the narrow `articles_searchentry` through the
    SQL function `articles_search_ranked` (articles/migrations/0009_search_entry.py, with the
    source-type filter of 0014_search_source_kind_filter.py), which
    applies the same "published" rule as `Article.objects.published()`: status published and a
    publication time that has passed (tests/perf/test_search_plan.py checks they agree).
    """
    from django.contrib.contenttypes.models import ContentType

    starts, ends = _bounds(year=year, date_from=date_from, date_to=date_to)
    tag_type = ContentType.objects.get_for_model(Article).pk if tag else None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id, by_date FROM articles_search_ranked("
            "websearch_to_tsquery(%s::regconfig, %s), %s, %s, %s, %s, %s, %s, %s, %s) ORDER BY by_rank",
            [
                SEARCH_CONFIG,
                q,
                timezone.now(),
                cap + 1,
                section.pk if section else None,
                starts,
                ends,
                tag_type,
                tag or None,
                kind or None,
            ],
        )
        rows = cursor.fetchall()
    return len(rows), [pk for pk, by_date in rows if by_date <= cap]


# --- Filters with counts ----------------------------------------------------------------------

# The tag filter lists the tags most frequent among the matches, not every tag of the archive.
TAG_OPTIONS = 30


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int


# Counted within `ids`, the matches the reader can page through (at most RANK_WINDOW, newest
# first): bounded work whatever the archive's size. Only published articles are ever in `ids`, so a
# draft's section, tag or source never adds to a count. Every section is listed, also with 0: the
# page reads its section choices from here instead of a query of its own.
_FACETS_SQL = """
    WITH m AS (
        SELECT e.article_id, e.section_id, e.published_at FROM articles_searchentry e
         WHERE e.article_id = ANY(%(ids)s::int[])
    )
    SELECT 'section', s.slug, s.name, count(m.article_id), s."order" AS position
      FROM articles_section s LEFT JOIN m ON m.section_id = s.id GROUP BY s.id
    UNION ALL
    (SELECT 'tag', t.slug, t.name, count(DISTINCT m.article_id), 0
      FROM m JOIN taggit_taggeditem ti ON ti.object_id = m.article_id AND ti.content_type_id = %(tag_type)s
      JOIN taggit_tag t ON t.id = ti.tag_id
     GROUP BY t.id ORDER BY 4 DESC, t.name LIMIT %(tag_limit)s)
    UNION ALL
    SELECT 'kind', src.kind, '', count(DISTINCT m.article_id), 0
      FROM m JOIN articles_citation c ON c.article_id = m.article_id JOIN articles_source src ON src.id = c.source_id
     GROUP BY src.kind
    UNION ALL
    SELECT 'year', extract(year FROM m.published_at AT TIME ZONE %(tz)s)::int::text, '', count(*), 0
      FROM m GROUP BY 2
"""


def search_facets(ids, *, tag=None, year=None) -> dict[str, list[FacetOption]]:
    """The options of the section, tag, source type and year filters, each with its number of `ids`: one query.

    Sections and source types are listed whole (0 where nothing matches); tags (the TAG_OPTIONS
    most frequent) and years only where something matches, plus the chosen `tag` and `year`.
    """
    from django.contrib.contenttypes.models import ContentType

    with connection.cursor() as cursor:
        cursor.execute(
            _FACETS_SQL,  # noqa: S608 -- constant; every value is a parameter
            {
                "ids": list(ids),
                "tag_type": ContentType.objects.get_for_model(Article).pk,
                "tag_limit": TAG_OPTIONS,
                "tz": timezone.get_current_timezone_name(),
            },
        )
        rows = cursor.fetchall()
    found = {"section": [], "tag": [], "kind": {}, "year": []}
    for facet, value, label, count, _position in sorted(rows, key=lambda row: (row[4], row[2])):
        if facet == "kind":
            found["kind"][value] = count
        else:
            found[facet].append(FacetOption(value, label or value, count))
    tags = sorted(found["tag"], key=lambda option: (-option.count, option.label.casefold()))
    if tag and tag not in {option.value for option in tags}:
        tags.append(FacetOption(tag, tag, 0))
    years = sorted(found["year"], key=lambda option: option.value, reverse=True)
    if year and str(year) not in {option.value for option in years}:
        years = sorted([*years, FacetOption(str(year), str(year), 0)], key=lambda o: o.value, reverse=True)
    return {
        "section": found["section"],
        "tag": tags,
        "kind": [FacetOption(value, label, found["kind"].get(value, 0)) for value, label in Source.Kind.choices],
        "year": years,
    }


def _bounds(*, year, date_from, date_to):
    """The filters' time range as [starts, ends) in the current time zone, as `published_at__date` reads it."""
    starts, ends = [], []
    if year:
        starts.append(date(year, 1, 1))
        ends.append(date(year + 1, 1, 1))
    if date_from:
        starts.append(date_from)
    if date_to:
        ends.append(date_to + timedelta(days=1))

    def moment(day):
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    return (moment(max(starts)) if starts else None, moment(min(ends)) if ends else None)


def search_cards(ids):
    """The articles `ids`, in that order, as list cards carrying the texts snippets are cut from."""
    cards = with_bylines(Article.objects.filter(pk__in=ids).with_comment_count()).annotate(
        snippet_highlights=_parts(Highlight, text="text"),
        snippet_findings=_parts(Finding, heading="headline", html="explanation_html"),
        snippet_sections=_parts(BriefSection, heading="heading", html="body_html"),
        snippet_signals=_parts(Signal, text="text"),
        snippet_limitations=_parts(Limitation, heading="label", text="text"),
    )
    by_id = {article.pk: article for article in cards}
    return [by_id[pk] for pk in ids if pk in by_id]


def _parts(model, **fields):
    # Evaluated only for the rows of the page: PostgreSQL computes these after ORDER BY ... LIMIT.
    return ArraySubquery(
        model.objects.filter(article=OuterRef("pk")).order_by("position", "id").values(row=JSONObject(**fields))
    )


# --- Snippets ----------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# Inline Markdown in the fields that are stored as typed (highlights, signals, limitations).
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`|~~)(?=\S)(.+?)(?<=\S)\1")
_MD_LINE_START = re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9À-Þ])")
_ENDS_IN_PUNCTUATION = re.compile(r"[.!?…:;,]$")


def _plain_html(value: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def _plain_markdown(value: str) -> str:
    text = _MD_LINE_START.sub("", value or "")
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):  # **_nested_** emphasis
        text = _MD_EMPHASIS.sub(r"\2", text)
    return _SPACE.sub(" ", text).strip()


def _blocks(article) -> list[str]:
    """The article's readable text in page order, one block per paragraph-like part, no markup."""
    blocks = [_plain_markdown(article.standfirst)]
    blocks += [_plain_markdown(row["text"]) for row in article.snippet_highlights or []]
    blocks.append(_plain_html(article.intro_html))
    for row in article.snippet_findings or []:
        blocks += [_plain_markdown(row["heading"]), _plain_html(row["html"])]
    for row in article.snippet_sections or []:
        blocks += [_plain_markdown(row["heading"]), _plain_html(row["html"])]
    blocks += [_plain_markdown(row["text"]) for row in article.snippet_signals or []]
    for row in article.snippet_limitations or []:
        label, text = _plain_markdown(row["heading"]), _plain_markdown(row["text"])
        # "Label: text", without a doubled colon or full stop when the label already ends in one.
        blocks.append(f"{label} {text}" if _ENDS_IN_PUNCTUATION.search(label) else f"{label}: {text}")
    blocks.append(_plain_html(article.bottom_line_html))
    return [block for block in blocks if block]


def _sentences(blocks: list[str]) -> list[tuple[int, str]]:
    """(block number, sentence) for every sentence; a heading is a sentence of its own."""
    return [(n, sentence) for n, block in enumerate(blocks) for sentence in _SENTENCE_END.split(block) if sentence]


_EXCLUDED = re.compile(r'(?:^|\s)-(?:"[^"]*"|\S+)')


def _positive_terms(q: str) -> str:
    """`q` without its excluded words: "magnets -China" highlights magnets, never China."""
    return _EXCLUDED.sub(" ", q)


def _marked(sentences: list[str], q: str) -> list[str]:
    """Each sentence with the words that match `q` wrapped in the private-use markers, in one query."""
    if not sentences:
        return []
    options = f"HighlightAll=true, StartSel={_MARK_START}, StopSel={_MARK_END}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, s, websearch_to_tsquery(%s::regconfig, %s), %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n",
            [SEARCH_CONFIG, SEARCH_CONFIG, _positive_terms(q), options, sentences],
        )
        return [row[0] for row in cursor.fetchall()]


def _trim(sentence: str, limit: int) -> str:
    """At most `limit` words of a marked sentence, around its first mark, cut at word boundaries with "…"."""
    words = sentence.split(" ")
    if len(words) <= limit:
        return sentence
    first = next((i for i, word in enumerate(words) if _MARK_START in word), 0)
    start = max(0, min(first - limit // 3, len(words) - limit))
    cut = " ".join(words[start : start + limit]).rstrip(",;:")
    return ("… " if start else "") + cut + (" …" if start + limit < len(words) else "")


def _snippet(sentences: list[tuple[int, str]], marked: list[str]) -> str:
    scored = []
    for i, text in enumerate(marked):
        terms = {t.lower() for t in re.findall(f"{_MARK_START}(.*?){_MARK_END}", text)}
        if terms:
            scored.append((len(terms), -i, i, terms))
    if not scored:  # found through a source, a tag or the title only: the opening sentences
        chosen = [0, 1] if len(marked) > 1 and len(marked[0].split()) < SNIPPET_WORDS // 2 else [0]
    else:
        scored.sort(reverse=True)
        best = scored[0]
        chosen, seen = [best[2]], set(best[3])
        for _, _, i, terms in scored[1:]:
            if terms - seen and sum(len(marked[j].split()) for j in chosen) < SNIPPET_WORDS // 2:
                chosen.append(i)
                seen |= terms
                break
        chosen.sort()
    pieces, previous = [], None
    budget = SNIPPET_WORDS // len(chosen)
    for i in chosen:
        text = _trim(marked[i], budget)
        if previous is not None:
            adjacent = i == previous + 1 and sentences[i][0] == sentences[previous][0]
            pieces.append(" " if adjacent and not text.startswith("…") else " … ")
        pieces.append(text)
        previous = i
    return "".join(pieces).replace("… …", "…")


def attach_snippets(articles, q: str) -> list:
    """Give each article a `snippet`: one or two whole sentences of its readable text, matching words marked."""
    articles = list(articles)
    per_article = [_sentences(_blocks(article))[:60] for article in articles]
    flat = [sentence for sentences in per_article for _, sentence in sentences]
    marked = _marked(flat, q)
    offset = 0
    for article, sentences in zip(articles, per_article, strict=True):
        article.snippet = _snippet(sentences, marked[offset : offset + len(sentences)]) if sentences else ""
        offset += len(sentences)
    return articles


def snippet_html(snippet: str) -> str:
    """A snippet as safe HTML: everything escaped, then the matches wrapped in <mark>."""
    text = escape(snippet or "")
    return mark_safe(text.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))  # noqa: S308  # nosec B308 B703


# --- Did you mean ------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_OPERATORS = {"or", "and", "not"}


def search_suggestion(q: str, **filters) -> str | None:
    """A corrected `q` built from the published vocabulary that finds more than `q` does, or None.

    Each word that is not in the vocabulary is replaced by its closest vocabulary word (trigram
    similarity). The corrected query is shown only if it finds published articles (with the same
    filters): the vocabulary may lag behind an unpublication, this check does not.
    """
    words = [m for m in _WORD.finditer(q) if WORD_LENGTHS[0] <= len(m.group()) <= WORD_LENGTHS[1]]
    words = [m for m in words if m.group().lower() not in _OPERATORS]
    if not words:
        return None
    lowered = sorted({m.group().lower() for m in words})
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT w.input, c.word FROM unnest(%s::text[]) AS w(input)
            CROSS JOIN LATERAL (
                SELECT word FROM articles_searchword
                 WHERE reex_unaccent(word) %% reex_unaccent(w.input)
                 ORDER BY similarity(reex_unaccent(word), reex_unaccent(w.input)) DESC, word
                 LIMIT 1
            ) c
            """,
            [lowered],
        )
        best = dict(cursor.fetchall())
    corrected, changed, end = [], False, 0
    for m in words:
        word = m.group()
        replacement = best.get(word.lower())
        corrected.append(q[end : m.start()])
        if replacement is None or _same_word(replacement, word):
            corrected.append(word)
        else:
            corrected.append(replacement)
            changed = True
        end = m.end()
    corrected.append(q[end:])
    if not changed:
        return None
    suggestion = "".join(corrected)
    return suggestion if search_matches(suggestion, **filters).exists() else None


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _same_word(vocabulary_word: str, typed: str) -> bool:
    # "nunoa" typed, "ñuñoa" in the vocabulary: the search already ignores the accents.
    return _fold(vocabulary_word) == _fold(typed)
