"""The reader's search: the form that reads /search/?q=... and the ranked query behind it.

The vector is stored and GIN-indexed (see articles.search); this module only
matches, ranks and highlights. The query uses PostgreSQL's `websearch`
syntax, so readers can type "rare earth" -china or separation OR refining.
"""

import html
import re

from django import forms
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Func, OuterRef, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article, BriefSection, Finding, Highlight, Limitation, Section, Signal
from articles.queries import with_bylines
from articles.search import SEARCH_CONFIG

MAX_QUERY_LENGTH = 200
# Private-use characters: they never occur in articles, so they mark the
# highlighted words safely until the snippet has been escaped.
_MARK_START, _MARK_END = "\ue000", "\ue001"


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=1000, strip=True)
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(), to_field_name="slug", required=False, empty_label="All sections"
    )
    tag = forms.SlugField(required=False, label="Tag")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )

    def clean_q(self):
        # NUL cannot be sent to PostgreSQL; an overlong query is cut rather than refused.
        return self.cleaned_data["q"].replace("\x00", "")[:MAX_QUERY_LENGTH]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def has_words(self) -> bool:
        """False for an empty query or one of only punctuation: nothing to look for."""
        return bool(re.search(r"\w", self.cleaned_data.get("q", "")))


def _strip_tags_sql(expression):
    return Func(
        expression, Value("<[^>]+>"), Value(" "), Value("g"), function="regexp_replace", output_field=TextField()
    )


def _joined(model, expression):
    """One brief part's texts for an article, joined in page order, as a correlated subquery."""
    parts = (
        model.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(
            joined=StringAgg(expression, delimiter=Value(" "), order_by=("position", "id"), output_field=TextField())
        )
        .values("joined")
    )
    return Coalesce(Subquery(parts[:1]), Value(""), output_field=TextField())


def search_matches(q, *, section=None, tag=None, date_from=None, date_to=None):
    """Published articles matching `q` and the filters: the bare set, cheap to count."""
    matches = Article.objects.published().filter(search_vector=_query(q))
    if section is not None:
        matches = matches.filter(section=section)
    if tag:
        matches = matches.filter(tags__slug=tag)
    if date_from:
        matches = matches.filter(published_at__date__gte=date_from)
    if date_to:
        matches = matches.filter(published_at__date__lte=date_to)
    return matches


def _query(q):
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)


def ranked_results(matches, q):
    """`matches` best first, as list cards, each with a highlighted `headline` snippet."""
    query = _query(q)
    # The snippet is cut from the readable text of the brief, in page order,
    # so a word found only in, say, a free section still shows in context.
    text = Concat(
        F("standfirst"),
        Value(" "),
        _joined(Highlight, "text"),
        Value(" "),
        _strip_tags_sql(F("intro_html")),
        Value(" "),
        _joined(
            Finding,
            Concat(F("headline"), Value(". "), _strip_tags_sql(F("explanation_html")), output_field=TextField()),
        ),
        Value(" "),
        _joined(
            BriefSection, Concat(F("heading"), Value(". "), _strip_tags_sql(F("body_html")), output_field=TextField())
        ),
        Value(" "),
        _joined(Signal, "text"),
        Value(" "),
        _joined(Limitation, Concat(F("label"), Value(": "), F("text"), output_field=TextField())),
        Value(" "),
        _strip_tags_sql(F("bottom_line_html")),
        output_field=TextField(),
    )
    return (
        with_bylines(matches.with_comment_count())
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                text,
                query,
                config=SEARCH_CONFIG,
                start_sel=_MARK_START,
                stop_sel=_MARK_END,
                max_words=28,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-id")
    )


def snippet_html(headline: str) -> str:
    """The ts_headline text as safe HTML: everything escaped, then the matches wrapped in <mark>."""
    text = escape(html.unescape(headline or ""))
    return mark_safe(text.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))  # noqa: S308  # nosec B308 B703
