"""In-process cold render times of the reader pages: the cache cleared before each render.

Run inside a configured Django environment (bench/bench.py runs it against each size's database):
    python -m bench.cold '{"home": "/", "article": "/news/some-slug/"}' [repeats]
Prints JSON: per page, the median and best wall milliseconds (and the median CPU milliseconds of
this process) of `repeats` renders through the full
middleware stack (Django's test client), each after `cache.clear()`, so neither the page cache nor
any fragment helps; plus the SQL queries of one render.
"""

import json
import statistics
import sys
import time

import django


def main() -> None:
    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    paths = json.loads(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    client = Client(SERVER_NAME="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip, br")
    out = {}
    for name, path in paths.items():
        for _ in range(3):  # warm: template loading, URL resolver, connection
            cache.clear()
            client.get(path)
        timings, cpu = [], []
        for _ in range(repeats):
            cache.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        out[name] = {
            "status": response.status_code,
            "cache": response.headers.get("X-Page-Cache", "-"),
            "median_ms": round(statistics.median(timings), 2),
            "best_ms": round(min(timings), 2),
            # This process's CPU time (Python: ORM, templates, compression), without PostgreSQL's or
            # the wait for a core: steadier than wall time on a shared machine.
            "cpu_median_ms": round(statistics.median(cpu), 2),
            "queries": len(queries),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
