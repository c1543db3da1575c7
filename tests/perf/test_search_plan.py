"""Search uses the GIN index on the stored vector (checked on the real plan, with a few thousand rows)."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article
from articles.search_query import ranked_results, search_matches

pytestmark = pytest.mark.django_db


def _plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def _article_scans(q):
    """How the search for `q` reads articles_article: [(node type, index name)]."""
    sql, params = ranked_results(search_matches(q), q)[:10].query.sql_with_params()
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
