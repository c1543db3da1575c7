"""Search latency at seed_scale size: p50/p95 for typical one- to three-word queries, and the plan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reex_scale .venv/bin/python bench/search.py

Times what the search page asks the database for: the number of matches and the
first page of ten ranked results with their snippets (articles.search_query), in
process, so the figure is database plus ORM time. Each query is run once to warm
up, then --repeat times.
"""

import argparse
import json
import os
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

QUERIES = [
    "dysprosium",
    "Lynas",
    "gallium",
    "Kazatomprom",
    "terbium Vietnam",
    "magnet recycling",
    "export controls",
    "solvent extraction",
    "Serra Verde",
    "heavy rare earths",
    "rare earth prices",
    "Greenland mining",
    "scandium Norway",
    "separation capacity China",
    "permanent magnets EV",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import OperationalError, connection, transaction

    from articles.models import Article
    from articles.search_query import ranked_results, search_matches

    def timed(fn):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                value = fn()
        except OperationalError:  # statement_timeout: reported, not fatal
            return None, None
        return (time.perf_counter() - started) * 1000, value

    results, every = {}, []
    for q in QUERIES:
        count_ms, count = timed(lambda q=q: search_matches(q).count())
        timings = []
        for _ in range(args.repeat):
            page_ms, page = timed(lambda q=q: list(ranked_results(search_matches(q), q)[:10]))
            if page_ms is None:
                break
            timings.append(page_ms + (count_ms or 0))
        sql, params = ranked_results(search_matches(q), q)[:10].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 -- Django's own SQL, values in params
            plan = "\n".join(row[0] for row in cursor.fetchall())
        every += timings or [float("inf")]
        results[q] = {
            "matches": count,
            "count_ms": round(count_ms, 1) if count_ms is not None else "timeout",
            "page_and_count_median_ms": round(statistics.median(timings), 1) if timings else "timeout",
            "gin_index": "article_search_gin" in plan,
        }
        print(f"{q!r}: {results[q]}", flush=True)
    every.sort()
    summary = {
        "articles": Article.objects.count(),
        "queries": len(QUERIES),
        "runs": len(every),
        "p50_ms": round(every[len(every) // 2], 1),
        "p95_ms": round(every[max(0, int(len(every) * 0.95) - 1)], 1),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(summary))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "queries": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
