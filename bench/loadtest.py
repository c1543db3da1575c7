"""Mixed-traffic load test: 90% article reads, 5% lists, 3% comment posts, 2% newsletter signups.

    .venv/bin/python bench/loadtest.py [--duration 300] [--clients 16] [--workers 2] [--threads 4]

Runs the site as bench/bench.py does (gunicorn, DEBUG off, manifest static files,
PostgreSQL at $BENCH_PG, Redis db 14) on the demo database, then drives it from
N client threads, each a "visitor" with its own keep-alive connection and CSRF
cookie, as fast as the server answers (closed loop): the achieved rate at zero
errors is the highest rate the machine holds with that many concurrent visitors.
Reports requests/s, p50/p95/p99 latency per kind and overall, and every error
(any 5xx, connection failure, or an answer other than the expected 200/302).
Writes bench/results/loadtest.json. Not part of `make test`.
"""

import argparse
import http.client
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (bench/bench.py: the shared server harness)

MIX = [("article", 90), ("list", 5), ("comment", 3), ("signup", 2)]
TS_RE = re.compile(r'name="ts" value="([^"]+)"')


class Visitor(threading.Thread):
    def __init__(self, n, port, deadline, articles, lists, results, lock):
        super().__init__(daemon=True)
        self.n, self.port, self.deadline = n, port, deadline
        self.articles, self.lists = articles, lists
        self.results, self.lock = results, lock
        self.random = random.Random(n)
        self.conn = None
        self.cookie = ""
        self.token = ""
        self.ts = ""
        self.article = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, response, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def csrf(self):
        status, response, data = self.request("GET", "/csrf/")
        cookie = response.getheader("Set-Cookie", "")
        self.cookie = cookie.split(";", 1)[0]
        self.token = json.loads(data)["token"]

    def record(self, kind, started, status, expected):
        elapsed = time.perf_counter() - started
        with self.lock:
            self.results[kind].append(elapsed)
            if status not in expected:
                self.results["errors"].append(f"{kind}: {status}")

    def read_article(self):
        self.article = self.random.choice(self.articles)
        started = time.perf_counter()
        status, _, data = self.request("GET", self.article[1])
        self.record("article", started, status, (200,))
        match = TS_RE.search(data.decode(errors="replace"))
        if match:
            self.ts = match.group(1)

    def run(self):
        try:
            self.csrf()
            self.read_article()
        except Exception as error:  # noqa: BLE001 - counted, not raised: the run goes on
            with self.lock:
                self.results["errors"].append(f"start: {error!r}")
        kinds = [kind for kind, weight in MIX for _ in range(weight)]
        i = 0
        while time.monotonic() < self.deadline:
            i += 1
            kind = self.random.choice(kinds)
            try:
                if kind == "article":
                    self.read_article()
                elif kind == "list":
                    started = time.perf_counter()
                    status, _, _ = self.request("GET", self.random.choice(self.lists))
                    self.record("list", started, status, (200,))
                elif kind == "comment":
                    body = urlencode(
                        {
                            "csrfmiddlewaretoken": self.token,
                            "ts": self.ts,
                            "name": f"Load tester {self.n}",
                            "email": f"load{self.n}-{i}-{time.time_ns()}@example.org",
                            "url": "",
                            "homepage": "",
                            "parent": "",
                            # Unique per run too: the same text twice on one article is refused as a duplicate.
                            "body": f"Load test comment {self.n}-{i}-{time.time_ns()}: separation is the constraint.",
                        }
                    )
                    started = time.perf_counter()
                    status, _, data = self.request(
                        "POST", f"/comments/post/{self.article[0]}/", body, self.form_headers()
                    )
                    self.record("comment", started, status, (302,))
                    if status != 302 and os.environ.get("LOADTEST_DEBUG"):
                        pattern = r'class="[^"]*(?:errorlist|alert-danger|invalid-feedback)[^"]*"[^>]*>(.{0,200})'
                        errors = re.findall(pattern, data.decode(errors="replace"))
                        print("comment", status, self.article, errors[:3], flush=True)
                else:
                    body = urlencode(
                        {
                            "csrfmiddlewaretoken": self.token,
                            "email": f"load{self.n}-{i}-{time.time_ns()}@example.org",
                            "name": "Load tester",
                            "source": "sidebar",
                            "source_page": "/",
                            "website": "",
                        }
                    )
                    started = time.perf_counter()
                    status, _, _ = self.request("POST", "/newsletter/", body, self.form_headers())
                    self.record("signup", started, status, (302,))
            except Exception as error:  # noqa: BLE001
                with self.lock:
                    self.results["errors"].append(f"{kind}: {error!r}")

    def form_headers(self):
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": self.cookie,
            "Referer": f"http://127.0.0.1:{self.port}/",
            "Origin": f"http://127.0.0.1:{self.port}",
        }


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    database = bench.SIZES["demo"][0]
    with tempfile.TemporaryDirectory() as var_dir:
        env = bench.server_env(database, Path(var_dir))
        # Many signups from one address on purpose (the real limit is per IP per hour).
        env["NEWSLETTER_SIGNUP_RATE"] = "100000000"
        env.pop("BENCH_CEILING", None)
        info = bench.prepare_database("demo", env, None)
        bench.manage(env, "collectstatic", "--noinput", "-v", "0")
        bench.flush_redis()
        rows = bench.rows(
            database,
            "SELECT a.id, a.slug FROM articles_article a WHERE a.status = 'published' AND a.published_at <= now()",
        )
        articles = [(pk, f"/news/{slug}/") for pk, slug in rows]
        sections = [f"/section/{s}/" for (s,) in bench.rows(database, "SELECT slug FROM articles_section")]
        lists = ["/", "/archive/", "/search/?q=rare+earth", "/feed/", *sections]
        server = bench.start_server(env, args.port, args.workers, args.threads)
        try:
            results = {"article": [], "list": [], "comment": [], "signup": [], "errors": []}
            lock = threading.Lock()
            deadline = time.monotonic() + args.duration
            started = time.monotonic()
            visitors = [Visitor(n, args.port, deadline, articles, lists, results, lock) for n in range(args.clients)]
            for visitor in visitors:
                visitor.start()
            for visitor in visitors:
                visitor.join(args.duration + 60)
            elapsed = time.monotonic() - started
        finally:
            bench.stop_server(server)
    everything = [v for kind, _ in MIX for v in results[kind]]
    report = {
        "duration_s": round(elapsed, 1),
        "clients": args.clients,
        "server": f"gunicorn {args.workers} workers x {args.threads} threads (gthread), DEBUG off, Redis cache",
        "database": info,
        "machine": f"{os.cpu_count()} CPUs, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "requests": len(everything),
        "rate_per_s": round(len(everything) / elapsed, 1),
        "p50_ms": round(percentile(everything, 50), 1),
        "p95_ms": round(percentile(everything, 95), 1),
        "p99_ms": round(percentile(everything, 99), 1),
        "errors": len(results["errors"]),
        "error_samples": sorted(set(results["errors"]))[:20],
        "by_kind": {
            kind: {
                "requests": len(results[kind]),
                "share": f"{100 * len(results[kind]) / max(1, len(everything)):.1f}%",
                "p95_ms": round(percentile(results[kind], 95), 1),
                "p99_ms": round(percentile(results[kind], 99), 1),
            }
            for kind, _ in MIX
        },
    }
    (bench.RESULTS / "loadtest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
