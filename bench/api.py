"""Content API speed: in-process timings of the article list and detail, and SQL queries per response.

    # demo size (the database load_demo fills) and 100k articles (a seed_scale database of its own):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reex_api .venv/bin/python bench/api.py --label demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reex_scale .venv/bin/python bench/api.py --label 100k

Each URL is requested through Django's test client (the whole middleware stack and the view, no network):
once to warm up, then --repeat times, uncached (PAGE_CACHE_ENABLED off: the response is built every time)
and cached (the response replayed from the cache under the content generation). Reports the median and
p95 in milliseconds and the number of SQL queries of one uncached response. Results are merged into
bench/results/api.json under the label.
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
RESULTS = ROOT / "bench" / "results" / "api.json"


def _urls(slug: str) -> dict[str, str]:
    return {
        # The floor: the same client and middleware, a JSON 404 that touches neither the database nor the cache.
        "floor (JSON 404)": "/api/no-such-endpoint",
        "list (10, summary)": "/api/v1/articles/",
        "list (10, everything)": "/api/v1/articles/?include=authors,tags,brief,sources",
        "list (100, everything)": "/api/v1/articles/?limit=100&include=authors,tags,brief,sources",
        "detail": f"/api/v1/articles/{slug}",
        "search": "/api/v1/articles/?q=separation",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True, help="e.g. demo, 100k; add -locmem when REDIS_URL is unset")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from articles.models import Article

    setup_test_environment()  # lets the test client run against this (non-test) database
    settings.API_ANONYMOUS_RATE_LIMIT = 10**9
    client = Client()
    slug = Article.objects.published().order_by("-published_at", "-id").values_list("slug", flat=True).first()
    articles = Article.objects.published().count()

    def timings(url):
        client.get(url)
        values = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            values.append((time.perf_counter() - started) * 1000)
        values.sort()
        return {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(values[int(len(values) * 0.95)], 2)}

    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    report = {"published_articles": articles, "repeat": args.repeat, "cache": cache, "urls": {}}
    for name, url in _urls(slug).items():
        settings.PAGE_CACHE_ENABLED = False
        client.get(url)  # warm: the next scheduled publication is then read from the cache, as in steady state
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *rest, seen=queries: seen.append(sql) or execute(sql, *rest)
        ):
            response = client.get(url)
        assert response.status_code == (404 if "no-such" in url else 200), (url, response.status_code)
        uncached = timings(url)
        settings.PAGE_CACHE_ENABLED = True
        cached = timings(url)
        report["urls"][name] = {
            "url": url,
            "queries": len(queries),
            "uncached": uncached,
            "cached": cached,
        }
        print(f"{args.label:>5} {name:<24} queries {len(queries)}  uncached {uncached}  cached {cached}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[args.label] = report
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
