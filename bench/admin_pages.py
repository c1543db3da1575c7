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
    "comment moderation queue (pending)": "comments/comment/?status__exact=pending",
    "comment changelist (all)": "comments/comment/",
    "comment search": "comments/comment/?q=yttrium",
    "subscriber list": "newsletter/subscriber/",
    "subscriber list, confirmed": "newsletter/subscriber/?status__exact=confirmed",
    "subscriber search": "newsletter/subscriber/?q=subscriber123456",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write results to this file")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"}
    )
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    results = {}
    for name, path in PAGES.items():
        if args.only not in name:
            continue
        url = f"/{settings.ADMIN_URL}{path}"
        response = client.get(url)
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
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
