"""Search uses the GIN index on the stored vector (checked on the real plan, with a few thousand rows)."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article
from articles.search_query import RANK_WINDOW, search_matches, search_ranked_ids

pytestmark = pytest.mark.django_db


def _plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def _article_scans(q):
    """How the search for `q` reads articles_article: [(node type, index name)]."""
    newest = search_matches(q).order_by("-published_at", "-id").values_list("pk", flat=True)[: RANK_WINDOW + 1]
    sql, params = newest.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608 -- Django's own SQL, values in params
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [
        (node["Node Type"], node.get("Index Name"))
        for node in _plan_nodes(plan[0]["Plan"])
        if node.get("Relation Name") == "articles_article" or node.get("Index Name") == "article_search_gin"
    ]


def test_search_uses_the_gin_index_on_a_few_thousand_articles():
    call_command(
        "seed_scale",
        articles=3000,
        comments=0,
        subscribers=0,
        confirm_database=connection.settings_dict["NAME"],
        stdout=io.StringIO(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert Article.objects.count() == 3000
    assert not Article.objects.filter(search_vector__isnull=True).exists()

    # A mine or project name, as readers type it: seed_scale names one in every standfirst.
    standfirst = Article.objects.order_by("id").values_list("standfirst", flat=True)[500]
    project = re.search(r"'s (\w+) project", standfirst).group(1)
    for q in (project, f"{project} project", "terbium separation Vietnam", "Kazatomprom gallium"):
        scans = _article_scans(q)
        assert ("Bitmap Index Scan", "article_search_gin") in scans, (q, scans)
        assert ("Seq Scan", None) not in scans, (q, scans)
    # And it finds what the text says.
    assert search_matches(project).count() >= 1


def _full_scan(q, **filters):
    """The reference: every published match read from articles_article with index scans off (the
    plain ORM query of `Article.objects.published()`), ranked by its own title and standfirst."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        query = SearchQuery(q, search_type="websearch", config="reex_english")
        document = SearchVector("title", weight="A", config="reex_english") + SearchVector(
            "standfirst", weight="B", config="reex_english"
        )
        return list(
            search_matches(q, **filters)
            .annotate(rank=SearchRank(document, query))
            .order_by("-published_at", "-id")
            .values_list("pk", "rank", "published_at")
        )


def _by_rank(rows):
    return [pk for pk, _, _ in sorted(rows, key=lambda row: (-row[1], -row[2].timestamp(), -row[0]))]


def test_fast_path_gives_the_same_results_as_a_plain_full_scan():
    """On a seeded archive: the capped count and the ranked window of the narrow search table agree
    with a full scan of the articles, for common and rare words, phrases, exclusions, 2-4 words and
    the filters."""
    from articles.models import Section

    call_command(
        "seed_scale",
        articles=2500,
        comments=0,
        subscribers=0,
        confirm_database=connection.settings_dict["NAME"],
        stdout=io.StringIO(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    standfirst = Article.objects.order_by("id").values_list("standfirst", flat=True)[700]
    project = re.search(r"'s (\w+) project", standfirst).group(1)
    section = Section.objects.order_by("slug").first()
    year = Article.objects.published().order_by("published_at").first().published_at.year
    cases = [
        ("dysprosium", {}),
        (project, {}),
        (f"{project} project", {}),
        ('"heavy rare earths"', {}),
        ("magnets -china", {}),
        ("rare earth prices", {}),
        ("terbium separation Vietnam", {}),
        ("scandium Norway magnet recycling", {}),
        ("Lynas OR Iluka", {}),
        ("separation", {"section": section}),
        ("separation", {"year": year}),
        ("separation", {"kind": "journal_article"}),
    ]
    window = 300
    sizes = []
    for q, filters in cases:
        full = _full_scan(q, **filters)
        sizes.append(len(full))
        found, ranked = search_ranked_ids(q, cap=window, **filters)
        assert found == min(len(full), window + 1), q
        # The ranked set is the newest `window` matches, ranked as the full scan ranks them.
        assert ranked == _by_rank(full[:window]), q
        if len(full) <= window:  # nothing left out: the same order as ranking every match
            assert ranked == _by_rank(full), q
    # Both sides of the cap were exercised.
    assert min(sizes) <= window < max(sizes), sizes
