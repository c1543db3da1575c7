"""Search: full text on the stored vector, websearch syntax, ranking, snippets, filters, and bad input."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Citation, Source
from articles.search import refresh_search_vector
from tests.articles.reader_data import RUSSIA_TITLE, make_russia_brief
from tests.articles.test_views import hidden_articles
from tests.factories import make_article, make_section, make_source

pytestmark = pytest.mark.django_db


def titles(response):
    return [article.title for article in response.context["page_obj"].object_list]


def indexed(**kwargs):
    article = make_article(**kwargs)
    refresh_search_vector(article)
    return article


def test_separation_finds_the_russia_brief_with_a_highlighted_snippet(client):
    make_russia_brief()
    indexed(title="Lithium brines in Chile", standfirst="Evaporation ponds and water use.")
    for article in hidden_articles(tags=["Separation"]):
        article.standfirst = "Separation secrets"
        article.save()
        refresh_search_vector(article)
    response = client.get("/search/?q=separation")
    assert response.status_code == 200
    assert titles(response) == [RUSSIA_TITLE]
    html = response.content.decode()
    assert "<mark>separation</mark>" in html
    assert "Secret" not in html
    assert "1 brief found" in html


def test_title_matches_rank_above_body_matches(client):
    body_match = indexed(
        title="Market wrap", standfirst="Prices fell.", published_at=timezone.now() - timedelta(hours=1)
    )
    body_match.intro = "A note on dysprosium supply."
    body_match.intro_html = "<p>A note on dysprosium supply.</p>"
    body_match.save()
    refresh_search_vector(body_match)
    indexed(
        title="Dysprosium supply tightens", standfirst="Prices rose.", published_at=timezone.now() - timedelta(days=9)
    )
    assert titles(client.get("/search/?q=dysprosium")) == ["Dysprosium supply tightens", "Market wrap"]


def test_websearch_syntax_phrases_or_and_exclusion(client):
    indexed(title="Heavy rare earths from ionic clays", standfirst="Myanmar supplies most of them.")
    indexed(title="Rare earth magnets in wind turbines", standfirst="Heavy demand ahead.")
    indexed(title="Copper smelting", standfirst="Chile and Peru.")
    assert titles(client.get('/search/?q="heavy rare earths"')) == ["Heavy rare earths from ionic clays"]
    assert sorted(titles(client.get("/search/?q=copper OR magnets"))) == [
        "Copper smelting",
        "Rare earth magnets in wind turbines",
    ]
    assert titles(client.get("/search/?q=rare -magnets")) == ["Heavy rare earths from ionic clays"]


def test_filters_by_section_tag_and_date(client):
    policy, markets = make_section(name="Policy", slug="policy"), make_section(name="Markets", slug="markets")
    old = indexed(
        title="Magnet tariffs old", section=policy, tags=["Tariffs"], published_at=timezone.now() - timedelta(days=40)
    )
    indexed(
        title="Magnet tariffs new", section=markets, tags=["Trade"], published_at=timezone.now() - timedelta(days=1)
    )
    by_section = client.get("/search/?q=magnet&section=policy")
    assert titles(by_section) == ["Magnet tariffs old"]
    assert '<option value="policy" selected>Policy (1)</option>' in by_section.content.decode()
    assert titles(client.get("/search/?q=magnet&tag=trade")) == ["Magnet tariffs new"]
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert titles(client.get(f"/search/?q=magnet&date_from={since}")) == ["Magnet tariffs new"]
    until = old.published_at.date().isoformat()
    assert titles(client.get(f"/search/?q=magnet&date_to={until}")) == ["Magnet tariffs old"]


@pytest.mark.parametrize(
    "query",
    ["", "?q=", "?q=%20%20", "?q=!!!", "?q=%22%22", "?q=-", "?q=%3C%3E%26", "?q=(", "?q=a%00b", "?q=the"],
)
def test_empty_punctuation_and_odd_queries_get_a_helpful_page(client, query):
    indexed(title="Something to find")
    response = client.get("/search/" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Search the briefs" in html or "Nothing matched" in html or "0 briefs found" in html


def test_invalid_filters_are_explained_not_errors(client):
    response = client.get("/search/?q=magnet&date_from=yesterday&section=nope")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please check the filters" in html
    assert "Enter a valid date." in html
    response = client.get("/search/?q=magnet&date_from=2025-02-01&date_to=2025-01-01")
    assert "The end date is before the start date." in response.content.decode()


def test_search_paginates_and_keeps_the_query(client):
    for n in range(12):
        indexed(title=f"Cerium oversupply {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    first = client.get("/search/?q=cerium")
    assert len(titles(first)) == 10
    assert 'href="?q=cerium&amp;page=2"' in first.content.decode()
    assert len(titles(client.get("/search/?q=cerium&page=2"))) == 2


@pytest.mark.parametrize(
    ("page", "location"),
    [
        ("9", "/search/?q=cerium&page=2"),  # past the end: the last page
        ("3", "/search/?q=cerium&page=2"),
        ("0", "/search/?q=cerium"),  # before the start: the first
        ("-4", "/search/?q=cerium"),
        ("abc", "/search/?q=cerium"),  # not a number: the first
        ("1.5", "/search/?q=cerium"),
        ("", "/search/?q=cerium"),
        ("99999999999999999999999", "/search/?q=cerium&page=2"),
    ],
)
def test_out_of_range_or_bad_page_redirects_to_a_real_page(client, page, location):
    for n in range(12):
        indexed(title=f"Cerium oversupply {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    response = client.get("/search/", {"q": "cerium", "page": page})
    assert response.status_code == 302
    assert response["Location"] == location
    assert len(titles(client.get(location))) == (2 if "page=2" in location else 10)


def test_page_one_and_a_page_without_results_are_served_not_redirected(client):
    indexed(title="Cerium oversupply")
    assert titles(client.get("/search/?q=cerium&page=1")) == ["Cerium oversupply"]
    nothing = client.get("/search/?q=holmium&page=3")
    assert nothing.status_code == 302
    assert nothing["Location"] == "/search/?q=holmium"
    assert "0 briefs found" in client.get(nothing["Location"]).content.decode()


def test_snippet_escapes_article_text(client):
    indexed(title="Escaping", standfirst="Yttrium <script>alert(1)</script> & friends")
    html = client.get("/search/?q=yttrium").content.decode()
    assert "<script>alert(1)" not in html
    assert "<mark>Yttrium</mark>" in html
    assert "&amp; friends" in html


# --- Accents and case ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["nunoa", "Nuñoa", "Ñuñoa", "NUÑOA", "ñuñoa", "NUNOA"])
def test_accents_and_case_are_ignored_both_ways(client, query):
    indexed(title="Lithium brines near Ñuñoa", standfirst="A study of Santiago's water.")
    indexed(title="Nunez copper", standfirst="Nothing about the other place.")
    assert titles(client.get("/search/", {"q": query})) == ["Lithium brines near Ñuñoa"]


@pytest.mark.parametrize("query", ["odegard", "Ødegård", "ØDEGÅRD", "Odegård"])
def test_nordic_letters_fold_to_their_base_letter(client, query):
    article = indexed(title="Norwegian scandium", standfirst="Prospecting in the north.")
    article.intro = "Fieldwork by Ødegård et al."
    article.intro_html = "<p>Fieldwork by Ødegård et al.</p>"
    article.save()
    refresh_search_vector(article)
    indexed(title="Swedish iron", standfirst="Kiruna.")
    response = client.get("/search/", {"q": query})
    assert titles(response) == ["Norwegian scandium"]
    assert "<mark>Ødegård</mark>" in response.content.decode()


# --- Long queries ---------------------------------------------------------------------------------


def test_an_overlong_query_is_explained_not_cut(client):
    indexed(title="Separation capacity")
    query = " ".join(["separation"] * 100)  # 1,099 characters
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["page_obj"] is None
    assert "Please shorten your search" in html
    assert "Your search is 1,099 characters long; the limit is 200." in html
    assert "no words to search for" not in html
    # The reader's text is kept in the box (escaped), so it can be shortened rather than retyped.
    assert 'value="separation separation' in html


def test_a_query_at_the_limit_is_searched(client):
    indexed(title="Separation capacity")
    query = "separation " * 18 + "is"
    assert len(query) == 200
    assert titles(client.get("/search/", {"q": query})) == ["Separation capacity"]


# --- Snippets --------------------------------------------------------------------------------------


def test_snippet_is_plain_text_in_whole_sentences_without_doubled_punctuation(client):
    from articles.models import Finding, Highlight, Signal

    article = indexed(
        title="Magnet makers and the midstream",
        standfirst="Magnets lead demand.",
    )
    Highlight.objects.create(
        article=article, position=0, text="Supply of **high** grade oxide is [scarce](https://example.org/x)."
    )
    Finding.objects.create(
        article=article,
        position=0,
        headline="Magnets lead demand.",
        explanation="Electric motors need *neodymium* and dysprosium.",
        explanation_html="<p>Electric motors need <em>neodymium</em> and dysprosium.</p>",
    )
    Signal.objects.create(article=article, position=0, kind=Signal.Kind.SOLID, text="`Recycling` helps _somewhat_.")
    article.intro = "The study, which was long, says that dysprosium supply is thin. Refining is concentrated."
    article.intro_html = f"<p>{article.intro}</p>"
    article.save()
    refresh_search_vector(article)

    response = client.get("/search/?q=dysprosium")
    snippet = response.context["page_obj"].object_list[0].snippet
    html = response.content.decode()
    shown = html.split('class="article-card-standfirst">')[1].split("</p>")[0]
    assert shown == "The study, which was long, says that <mark>dysprosium</mark> supply is thin."
    two = client.get("/search/?q=demand electric").context["page_obj"].object_list[0].snippet
    # Two sentences from two parts: each keeps its own full stop, and the gap is marked once.
    assert two == "Magnets lead \ue000demand\ue001. … \ue000Electric\ue001 motors need neodymium and dysprosium."
    for text in (snippet, two):
        assert ".." not in text and "**" not in text and "](" not in text and "*" not in text

    grade = client.get("/search/?q=scarce").context["page_obj"].object_list[0].snippet
    assert grade == "Supply of high grade oxide is \ue000scarce\ue001."
    recycling = client.get("/search/?q=recycling").context["page_obj"].object_list[0].snippet
    assert recycling == "\ue000Recycling\ue001 helps somewhat."


def test_a_long_sentence_is_cut_at_word_boundaries_around_the_match(client):
    words = [f"word{i}" for i in range(80)]
    words[30] = "praseodymium"
    article = indexed(title="Long", standfirst="Short opener.")
    article.intro = " ".join(words) + "."
    article.intro_html = f"<p>{article.intro}</p>"
    article.save()
    refresh_search_vector(article)
    snippet = client.get("/search/?q=praseodymium").context["page_obj"].object_list[0].snippet
    assert snippet.startswith("… word17 word18 ")
    assert snippet.endswith(" word55 word56 …")
    assert "\ue000praseodymium\ue001" in snippet
    assert all(part and not part.startswith("ord") for part in snippet.split(" "))
    assert len(snippet.split(" ")) <= 42


# --- Did you mean --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("seperation", "separation"),
        ("neodymum", "neodymium"),
        ("dysprosim prices", "dysprosium prices"),
    ],
)
def test_misspellings_get_a_suggestion_from_published_words(client, typed, suggested):
    indexed(title="Separation capacity in Malaysia", standfirst="Neodymium and dysprosium prices.")
    response = client.get("/search/", {"q": typed, "section": ""})
    assert titles(response) == []
    assert response.context["suggestion"] == suggested
    html = response.content.decode()
    link = f'Did you mean <a href="?q={suggested.replace(" ", "+")}&amp;section=">{suggested}</a>?'
    assert link in html
    assert titles(client.get("/search/", {"q": suggested})) == ["Separation capacity in Malaysia"]


def test_no_suggestion_from_words_only_drafts_and_unpublished_articles_use(client):
    from articles.search import search_vocabulary_rebuild

    indexed(title="Copper smelting", standfirst="Chile and Peru.")
    for status in (Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.UNPUBLISHED):
        indexed(title="Kvanefjeld secret plan", standfirst="Kvanefjeld.", status=status, published_at=None)
    indexed(title="Kvanefjeld scheduled", published_at=timezone.now() + timedelta(days=2))
    response = client.get("/search/?q=kvanefjel")
    assert titles(response) == []
    assert response.context["suggestion"] is None
    assert "Kvanefjeld" not in response.content.decode()
    search_vocabulary_rebuild()
    assert client.get("/search/?q=kvanefjel").context["suggestion"] is None


def test_a_word_left_in_the_vocabulary_by_an_unpublished_article_is_not_suggested(client):
    article = indexed(title="Kvanefjeld update", standfirst="Greenland.")
    assert client.get("/search/?q=kvanefjel").context["suggestion"] == "kvanefjeld"
    Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)
    response = client.get("/search/?q=kvanefjel")
    assert response.context["suggestion"] is None
    assert "Kvanefjeld" not in response.content.decode()


def test_a_correct_query_gets_no_suggestion(client):
    indexed(title="Separation capacity")
    response = client.get("/search/?q=separation")
    assert response.context["suggestion"] is None
    assert "Did you mean" not in response.content.decode()


# --- Filters with counts (section, tag, source type, year) -------------------------------------


def cite(article, **source_fields):
    Citation.objects.create(
        article=article, position=Citation.objects.filter(article=article).count(), source=make_source(**source_fields)
    )
    refresh_search_vector(article)


def options(response, facet):
    return {option.value: option.count for option in response.context["facets"][facet]}


@pytest.fixture
def faceted_archive():
    """Five published "cobalt" briefs, one that does not match, and a draft that matches."""
    policy, markets = make_section(name="Policy", slug="policy"), make_section(name="Markets", slug="markets")
    make_section(name="Empty", slug="empty")
    a = indexed(title="Cobalt policy one", section=policy, tags=["DRC", "Tariffs"])
    this_year = timezone.localtime(a.published_at).year
    last_year = timezone.make_aware(datetime(this_year - 1, 6, 15, 12))
    b = indexed(title="Cobalt policy two", section=policy, tags=["DRC"], published_at=last_year)
    c = indexed(title="Cobalt markets one", section=markets, tags=["Prices"], published_at=a.published_at)
    d = indexed(title="Cobalt markets two", section=markets, tags=["DRC"], published_at=last_year)
    e = indexed(title="Cobalt markets three", section=markets, tags=[], published_at=a.published_at)
    indexed(title="Lithium policy", section=policy, tags=["DRC"])
    cite(a, kind="report", title="Cobalt report A", container="")
    cite(a, kind="report", title="Cobalt report A2", container="")  # two reports: one article, counted once
    cite(b, kind="dataset", title="Cobalt data")
    cite(c, kind="report", title="Cobalt report C")
    cite(d)  # the factory's journal article
    del e
    draft_section = make_section(name="Drafts only", slug="drafts-only")
    draft = indexed(
        title="Cobalt secret", section=draft_section, tags=["Secret tag", "DRC"], status=Article.Status.DRAFT
    )
    cite(draft, kind="standard", title="Cobalt standard")
    return this_year


def test_filters_show_how_many_matches_each_option_has(client, faceted_archive):
    this_year = faceted_archive
    response = client.get("/search/?q=cobalt")
    assert response.context["matches_found"] == 5
    assert options(response, "section") == {"policy": 2, "markets": 3, "empty": 0, "drafts-only": 0}
    assert options(response, "tag") == {"drc": 3, "tariffs": 1, "prices": 1}
    assert [o.value for o in response.context["facets"]["tag"]] == ["drc", "prices", "tariffs"]
    kinds = options(response, "kind")
    assert {k: n for k, n in kinds.items() if n} == {"report": 2, "dataset": 1, "journal_article": 1}
    assert kinds["standard"] == 0  # cited only by the draft
    assert len(kinds) == len(Source.Kind.choices)
    assert options(response, "year") == {str(this_year): 3, str(this_year - 1): 2}
    html = response.content.decode()
    assert '<option value="policy">Policy (2)</option>' in html
    assert '<option value="drc">DRC (3)</option>' in html
    assert '<option value="report">Report (2)</option>' in html
    assert f'<option value="{this_year - 1}">{this_year - 1} (2)</option>' in html
    assert "Secret" not in html and "secret-tag" not in html


def test_counts_follow_the_other_filters_and_the_form_keeps_them(client, faceted_archive):
    this_year = faceted_archive
    response = client.get(f"/search/?q=cobalt&section=markets&year={this_year - 1}")
    assert titles(response) == ["Cobalt markets two"]
    assert options(response, "section") == {"policy": 0, "markets": 1, "empty": 0, "drafts-only": 0}
    assert options(response, "tag") == {"drc": 1}
    assert options(response, "year") == {str(this_year - 1): 1}
    html = response.content.decode()
    assert '<option value="markets" selected>Markets (1)</option>' in html
    assert f'<option value="{this_year - 1}" selected>{this_year - 1} (1)</option>' in html
    assert 'name="q" id="id_q" value="cobalt"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=report", ["Cobalt markets one", "Cobalt policy one"]),
        ("kind=dataset", ["Cobalt policy two"]),
        ("kind=report&section=policy", ["Cobalt policy one"]),
        ("kind=report&tag=drc", ["Cobalt policy one"]),
    ],
)
def test_source_type_filter(client, faceted_archive, query, expected):
    response = client.get(f"/search/?q=cobalt&{query}")
    assert sorted(titles(response)) == expected
    assert response.context["matches_found"] == len(expected)
    assert sum(options(response, "year").values()) == len(expected)


def test_a_filter_without_matches_says_so_and_offers_the_search_without_it(client, faceted_archive):
    response = client.get("/search/?q=cobalt&kind=standard&tag=prices&year=2001")
    assert response.status_code == 200
    assert titles(response) == []
    html = response.content.decode()
    assert "0 briefs found" in html
    assert "Nothing matched “cobalt” tagged prices, citing a source of type “Standard”, from 2001." in html
    assert '<a href="?q=cobalt">Search “cobalt” without filters</a>' in html
    # The chosen options stay chosen, with their (zero) counts.
    assert '<option value="standard" selected>Standard (0)</option>' in html
    assert '<option value="2001" selected>2001 (0)</option>' in html
    assert '<option value="prices" selected>prices (0)</option>' in html


def test_an_unknown_source_type_is_explained(client):
    response = client.get("/search/?q=cobalt&kind=podcast")
    assert response.status_code == 200
    assert "Select a valid choice. podcast is not one of the available choices." in response.content.decode()


def test_filters_are_labelled_controls(client, faceted_archive):
    html = client.get("/search/?q=cobalt").content.decode()
    for name, label in [("section", "Section"), ("tag", "Tag"), ("kind", "Source type"), ("year", "Year")]:
        assert f'<label class="form-label" for="id_{name}">{label}</label>' in html
        assert f'name="{name}" id="id_{name}"' in html


# --- The cited sources' publisher and issuing organisation are searchable -------------------------


def test_a_search_for_the_issuing_organisation_or_publisher_finds_the_brief(client):
    brief = indexed(title="Gallium export controls")
    cite(
        brief,
        kind="report",
        title="Mineral commodity summaries",
        authors="org: Geoscience Australia",
        container="",
        publisher="Østfold Forlag",
        institution="Bundesanstalt für Geowissenschaften und Rohstoffe",
    )
    indexed(title="Unrelated brief")
    assert titles(client.get("/search/?q=Bundesanstalt Geowissenschaften")) == ["Gallium export controls"]
    assert titles(client.get("/search/?q=ostfold forlag")) == ["Gallium export controls"]
    assert titles(client.get("/search/?q=geoscience australia")) == ["Gallium export controls"]
    # The marker is not a word of the source: "org" finds nothing.
    assert titles(client.get("/search/?q=org")) == []


def test_the_vocabulary_rebuild_reads_publisher_and_institution_without_the_org_marker(client):
    from articles.search import search_vocabulary_rebuild

    brief = indexed(title="Gallium export controls")
    cite(brief, kind="report", authors="org: Geoscience Australia", institution="Bundesanstalt", container="")
    search_vocabulary_rebuild()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM articles_searchword WHERE word IN ('bundesanstalt', 'geoscience', 'org')")
        assert sorted(row[0] for row in cursor.fetchall()) == ["bundesanstalt", "geoscience"]
