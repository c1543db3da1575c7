"""Search uses the GIN index on the stored vector (checked on the real plan, with a few thousand rows)."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article
from articles.search_query import RANK_WINDOW, newest_match_ids, ranked_results, search_matches

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
    call_command("seed_scale", articles=3000, comments=0, subscribers=0, allow_any_database=True, stdout=io.StringIO())
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
    """The reference: every published article, its vector recomputed-free but read without any index,
    matched and ranked over the whole set (no window), newest first among equal ranks."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db import transaction
    from django.db.models import F

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        query = SearchQuery(q, search_type="websearch", config="reex_english")
        rows = list(
            search_matches(q, **filters)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-published_at", "-id")
            .values_list("pk", "rank", "published_at")
        )
    return rows


def test_fast_path_gives_the_same_results_as_a_plain_full_scan():
    """On a seeded archive: the capped count, the ranked window and the first page agree with a full
    scan that ranks every match, for common and rare words, phrases, exclusions and 2-4 words."""
    call_command("seed_scale", articles=2500, comments=0, subscribers=0, allow_any_database=True, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    standfirst = Article.objects.order_by("id").values_list("standfirst", flat=True)[700]
    project = re.search(r"'s (\w+) project", standfirst).group(1)
    queries = [
        "dysprosium",
        project,
        f"{project} project",
        '"heavy rare earths"',
        "magnets -china",
        "rare earth prices",
        "terbium separation Vietnam",
        "scandium Norway magnet recycling",
        "Lynas OR Iluka",
    ]
    window = 300
    for q in queries:
        full = _full_scan(q)
        ids = newest_match_ids(search_matches(q), cap=window)
        # The count: exact up to the cap, "cap+" beyond it.
        assert len(ids) == min(len(full), window + 1), q
        # The window is the newest matches, in order.
        assert ids == [pk for pk, _, _ in full[: window + 1]], q
        # Ranked within the window exactly as the full scan ranks those same articles.
        in_window = {pk for pk, _, _ in full[:window]}
        expected = sorted(
            ((pk, rank, at) for pk, rank, at in full if pk in in_window),
            key=lambda row: (-row[1], -row[2].timestamp(), -row[0]),
        )
        got = list(ranked_results(ids[:window], q).values_list("pk", flat=True)[:10])
        assert got == [pk for pk, _, _ in expected[:10]], q
        if len(full) <= window:  # nothing left out: the same first page as ranking everything
            everything = sorted(full, key=lambda row: (-row[1], -row[2].timestamp(), -row[0]))
            assert got == [pk for pk, _, _ in everything[:10]], q
    # Both sides of the cap were exercised.
    sizes = [len(_full_scan(q)) for q in queries]
    assert min(sizes) <= window < max(sizes), sizes
