"""The search page at seed_scale size: p50/p95 for the whole page over a mixed query set, and the plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reex_scale .venv/bin/python bench/search.py \\
        --json bench/results/search.json --plans bench/results/search_plans.txt

Times GET /search/?q=... in process (Django's test client, DEBUG off, the page cache
bypassed as it is for every search): SQL, ranking, snippets and template rendering,
without network or gunicorn. Each query is fetched once to warm up, then --repeat
times; p50/p95 are over every timed request. The plans are EXPLAIN (ANALYZE, BUFFERS)
of the page's two article queries (the newest matches, then the ranked window).
"""

import argparse
import html
import json
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")

# (kind, query): the kinds the issue names. seed_scale's words, so every query finds something.
QUERIES = [
    ("common", "rare earth prices"),
    ("common", "magnet recycling"),
    ("common", "dysprosium"),
    ("common", "separation"),
    ("rare", "Kazatomprom"),
    ("rare", "Lynas"),
    ("rare", "scandium Norway"),
    ("rare", "terbium Vietnam"),
    ("phrase", '"heavy rare earths"'),
    ("phrase", '"solvent extraction"'),
    ("phrase", '"export controls" China'),
    ("exclusion", "magnets -china"),
    ("exclusion", "gallium -germanium"),
    ("exclusion", '"rare earth" -Lynas -Iluka'),
    ("2-4 words", "separation capacity China"),
    ("2-4 words", "permanent magnets EV motors"),
    ("2-4 words", "Serra Verde ionic clay"),
    ("2-4 words", "Greenland mining policy"),
    ("misspelt", "seperation"),
    ("misspelt", "neodymum"),
    ("accents", "Ñuñoa lithium"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json")
    parser.add_argument("--plans", help="write the EXPLAIN ANALYZE plans to this file")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from articles.search import SEARCH_CONFIG
    from articles.search_query import RANK_WINDOW, search_cards, search_ranked_ids

    def explain(sql, params=()):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)  # noqa: S608 -- constant or Django's SQL
            return "\n".join(row[0] for row in cursor.fetchall())

    # The body of the search function, as a prepared statement, so EXPLAIN shows its inner plan
    # under the function's own settings.
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'articles_search_ranked'")
        body = cursor.fetchone()[0]
    for n, name in enumerate(
        [
            "query",
            "visible_at",
            "max_rows",
            "in_section",
            "starts",
            "ends",
            "tag_content_type",
            "tag_slug",
            "source_kind",
        ],
        1,
    ):
        body = re.sub(rf"\b{name}\b", f"${n}", body)

    client = Client(SERVER_NAME="127.0.0.1")
    results, every, plans = {}, [], []
    for kind, q in QUERIES:
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200, (q, response.status_code)
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get("/search/", {"q": q})
                timings.append((time.perf_counter() - started) * 1000)
        every += timings
        page = response.content.decode()
        found = re.search(r'id="results-title" class="list-title">([^<]*) found<', page)
        suggestion = re.search(r"Did you mean <a [^>]*>([^<]*)</a>", page)
        results[q] = {
            "kind": kind,
            "shown_count": found.group(1) if found else None,
            "suggestion": html.unescape(suggestion.group(1)) if suggestion else None,
            "median_ms": round(statistics.median(timings), 1),
            "max_ms": round(max(timings), 1),
            "queries": len(queries.captured_queries),
            "sql_ms": round(sum(float(x["time"]) for x in queries.captured_queries) * 1000, 1),
        }
        print(f"{kind:10} {q!r}: {results[q]}", flush=True)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute("DEALLOCATE ALL")
            cursor.execute(
                "PREPARE ranked(tsquery, timestamptz, integer, integer, timestamptz, timestamptz, integer, text, text) AS "
                + body
            )
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS) EXECUTE ranked(websearch_to_tsquery(%s::regconfig, %s), now(), %s, "
                "NULL, NULL, NULL, NULL, NULL, NULL)",
                [SEARCH_CONFIG, q, RANK_WINDOW + 1],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("DEALLOCATE ranked")
        plans.append(f"=== {q} ({kind}): matches, count and rank (articles_search_ranked)\n{plan}\n")
        _, ids = search_ranked_ids(q)
        if ids:
            cards = Article.objects.filter(pk__in=ids[:10])
            sql, params = cards.query.sql_with_params()
            plans.append(f"=== {q} ({kind}): the page's cards (by primary key)\n{explain(sql, params)}\n")
            search_cards(ids[:10])
    every.sort()
    summary = {
        "articles": Article.objects.count(),
        "published": Article.objects.published().count(),
        "queries": len(QUERIES),
        "runs": len(every),
        "p50_ms": round(every[len(every) // 2], 1),
        "p95_ms": round(every[max(0, int(len(every) * 0.95) - 1)], 1),
        "goal_p95_ms": 50,
        "load_average": os.getloadavg(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    print(json.dumps(summary))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "queries": results}, indent=2) + "\n")
    if args.plans:
        Path(args.plans).write_text("\n".join(plans))


if __name__ == "__main__":
    main()
