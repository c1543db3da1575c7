"""Time the admin pages editors live in, against a seed_scale database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reex_scale .venv/bin/python bench/admin_pages.py

In-process (Django's test client, DEBUG off, a superuser), so the figure is the
server's time to build the page: SQL plus rendering, without network or gunicorn.
Each page is fetched once to warm up, then N times; the median and the worst are
reported, with the page's query count and its slowest query.
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
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")

PAGES = {
    "newsroom dashboard (admin index, editor)": "",
    "article changelist": "articles/article/",
    "article changelist, published filter": "articles/article/?status=published",
    "article changelist, search": "articles/article/?q=lynas",
    "article search, accented and upper case": "articles/article/?q=S%C3%81RIVE",
    "article search, no match": "articles/article/?q=%C3%B1u%C3%B1oa",
    "source changelist": "articles/source/",
    "source search": "articles/source/?q=rare+earth+supply",
    "source search, rare": "articles/source/?q=10.5555%2Freex-scale.4242",
    "author search": "articles/author/?q=ODEGARD",
    "comment moderation queue (pending)": "comments/comment/?status__exact=pending",
    "comment changelist (all)": "comments/comment/",
    "comment search": "comments/comment/?q=yttrium",
    "comment search, rare": "comments/comment/?q=reader4242",
    "comment search, no match": "comments/comment/?q=%C3%B1u%C3%B1oa",
    "subscriber list": "newsletter/subscriber/",
    "subscriber list, confirmed": "newsletter/subscriber/?status__exact=confirmed",
    "subscriber search": "newsletter/subscriber/?q=subscriber123456",
    "subscriber search, accented name": "newsletter/subscriber/?q=%C3%91U%C3%91OA",
    "subscriber search, common": "newsletter/subscriber/?q=example",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write results to this file")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--plans", help="write EXPLAIN ANALYZE of each page's slowest query to this file")
    parser.add_argument("--timeout", type=int, default=10, help="statement_timeout in seconds")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import OperationalError, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{args.timeout}s"])
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    results, plans = {}, []
    for name, path in PAGES.items():
        if args.only not in name:
            continue
        url = f"/{settings.ADMIN_URL}{path}"
        try:
            response = client.get(url)
        except OperationalError:  # statement_timeout: reported, not waited for
            results[name] = {"url": url, "status": f"over {args.timeout} s (statement_timeout)"}
            print(f"{name}: over {args.timeout} s", flush=True)
            continue
        if response.status_code != 200:
            results[name] = {"url": url, "status": response.status_code}
            print(f"{name}: HTTP {response.status_code}", flush=True)
            continue
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        selects = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        if args.plans and selects:
            slowest_select = max(selects, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                # The captured SQL has its values inlined by Django for display; fine for EXPLAIN here.
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest_select['sql']}")  # noqa: S608 -- Django's own SQL
                plans.append(f"=== {name}: {url}\n" + "\n".join(row[0] for row in cursor.fetchall()) + "\n")
        results[name] = {
            "url": url,
            "median_ms": round(statistics.median(timings), 1),
            "max_ms": round(max(timings), 1),
            "queries": len(queries.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
            "slowest_query_ms": round(float(slowest["time"]) * 1000, 1),
            "slowest_query": slowest["sql"][:300],
        }
        print(f"{name}: {results[name]['median_ms']} ms median, {results[name]['max_ms']} max, "
              f"{results[name]['queries']} queries ({results[name]['sql_ms']} ms SQL; slowest "
              f"{results[name]['slowest_query_ms']} ms)", flush=True)  # fmt: skip
    every = sorted(t for r in results.values() if "max_ms" in r for t in [r["max_ms"]])
    results["_summary"] = {
        "pages": len(every),
        "worst_max_ms": every[-1] if every else None,
        "goal_ms": 300,
        "load_average": os.getloadavg(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.plans:
        Path(args.plans).write_text("\n".join(plans))


if __name__ == "__main__":
    main()
