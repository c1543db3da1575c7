"""Read-heavy load through Varnish (deploy/varnish/reex.vcl) with a publication every few seconds.

    BENCH_DB_PREFIX=edge BENCH_REDIS=redis://127.0.0.1:6379/8 .venv/bin/python bench/edge.py [--duration 30]

The site runs as bench/bench.py runs it (gunicorn, DEBUG off, PostgreSQL at $BENCH_PG, Redis at
$BENCH_REDIS) on the demo database, behind a real varnishd on loopback. wrk reads articles and the
home page through Varnish (9 article reads for each home read) while this process publishes an
article every --every seconds through `article_publish`, exactly as the admin does: the page-cache
signals send the purge by tag to Varnish after the commit (EDGE_PURGE_VARNISH_URLS, task backend
immediate here, so the purge goes out at commit as a worker would send it). After each publication
the home page is polled through Varnish until it shows the new headline.

Records: the edge's requests/s and latency (wrk), the share of client requests that reached the app
(varnishstat MAIN.backend_req / MAIN.client_req), and publish-to-fresh time at the edge (from the
commit to the first read that shows it). Writes bench/results/edge.json. Not part of `make test`.
"""

import argparse
import gzip
import html
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import brotli  # noqa: E402

import bench  # noqa: E402  (bench/bench.py: the shared server harness)

VCL = bench.ROOT / "deploy" / "varnish" / "reex.vcl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_varnish(app_port: int, port: int, workdir: str) -> subprocess.Popen:
    vcl = re.sub(r'\.port = "8000";', f'.port = "{app_port}";', VCL.read_text(), count=1)
    path = Path(workdir) / "reex.vcl"
    path.write_text(vcl)
    process = subprocess.Popen(
        ["varnishd", "-F", "-j", "none", "-n", workdir, "-a", f"127.0.0.1:{port}", "-f", str(path),
         "-s", "malloc,256m", "-T", "none"],
        stdout=subprocess.DEVNULL, stderr=open(bench.RESULTS / "varnishd.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("varnishd did not start; see bench/results/varnishd.log")


def varnishstat(workdir: str) -> dict:
    output = subprocess.run(["varnishstat", "-n", workdir, "-1", "-j"], capture_output=True, text=True, check=True)
    data = json.loads(output.stdout)
    counters = data.get("counters", data)
    return {
        name: counters[f"MAIN.{name}"]["value"] for name in ("client_req", "backend_req", "cache_hit", "cache_miss")
    }


def get(url: str) -> str:
    """A page as wrk's readers get it (the `br` variant at the edge), decoded."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, br"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = answer.read()
        if answer.headers.get("Content-Encoding") == "br":
            body = brotli.decompress(body)
        elif answer.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode()


def lua_paths(paths: list[str]) -> str:
    quoted = ", ".join(json.dumps(p) for p in paths)
    return f"""
local paths = {{{quoted}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], {{["Accept-Encoding"] = "gzip, br"}})
end
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--every", type=float, default=3.0, help="seconds between publications")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("varnishd"):
        raise SystemExit("varnishd not found: apt-get install varnish varnish-modules")
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    database = bench.SIZES["demo"][0]
    app_port, edge_port = free_port(), free_port()
    edge_url = f"http://127.0.0.1:{edge_port}"
    with tempfile.TemporaryDirectory() as var_dir, tempfile.TemporaryDirectory(dir="/tmp") as workdir:
        env = bench.server_env(database, Path(var_dir))
        env.pop("BENCH_CEILING", None)
        env.update(
            EDGE_PURGE_VARNISH_URLS=edge_url + "/", TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend"
        )
        info = bench.prepare_database("demo", env, None)
        bench.manage(env, "collectstatic", "--noinput", "-v", "0")
        bench.flush_redis()

        # This process publishes as an editor would, with the server's settings.
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "reex.settings"
        sys.path.insert(0, str(bench.ROOT))
        import django

        django.setup()
        from django.contrib.auth.models import Group, User

        from articles.models import Article
        from articles.services import article_publish, article_unpublish

        editor, _ = User.objects.get_or_create(username="bench-edge-editor", defaults={"is_staff": True})
        editor.groups.add(Group.objects.get(name="Editors"))
        count = int(args.duration / args.every) + 1
        purges = []

        class Purges(logging.Handler):
            def emit(self, record):
                purges.append(record.levelname)

        logging.getLogger("reex.edge").addHandler(Purges())
        logging.getLogger("reex.edge").setLevel(logging.INFO)

        server = bench.start_server(env, app_port, args.workers, args.threads)
        varnish = start_varnish(app_port, edge_port, workdir)
        # Half the articles take turns being published (the other half stay up for the readers).
        published = Article.objects.published().count()
        to_publish = list(Article.objects.published().order_by("-published_at")[: max(1, published // 2)])
        try:
            for article in to_publish:
                article_unpublish(article=article, by=editor)
            paths = [f"/news/{slug}/" for slug in Article.objects.published().values_list("slug", flat=True)[:200]]
            # 9 article reads for each home read.
            wrk_paths = paths[:50] * 9 + ["/"] * len(paths[:50])
            for path in set(wrk_paths):
                get(edge_url + path)
            purges.clear()
            before = varnishstat(workdir)
            fresh_times, save_times, stop = [], [], threading.Event()

            def publisher():
                for n in range(count):
                    article = Article.objects.get(pk=to_publish[n % len(to_publish)].pk)
                    if article.status == Article.Status.PUBLISHED:  # its second turn: take it down first
                        article_unpublish(article=article, by=editor)
                        article.refresh_from_db()
                    if stop.wait(args.every):
                        return
                    started = time.monotonic()
                    article_publish(article=article, by=editor)  # commits, then purges at commit
                    committed = time.monotonic()  # the purge has been sent (immediate task backend)
                    save_times.append(committed - started)
                    while time.monotonic() - committed < 10:
                        if html.escape(article.title) in get(edge_url + "/"):
                            fresh_times.append(time.monotonic() - committed)
                            break
                        time.sleep(0.005)
                    else:
                        fresh_times.append(None)

            thread = threading.Thread(target=publisher)
            thread.start()
            load = bench.wrk(
                edge_url + "/",
                duration=args.duration,
                connections=args.connections,
                threads=2,
                script=lua_paths(wrk_paths),
            )
            stop.set()
            thread.join()
            after = varnishstat(workdir)
        finally:
            varnish.terminate()
            varnish.wait(10)
            bench.stop_server(server)
            for article in to_publish:  # leave the demo database as it was
                Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)

    delta = {k: after[k] - before[k] for k in after}
    seen = [t for t in fresh_times if t is not None]
    report = {
        "machine": f"{os.cpu_count()} cores (shared)",
        "articles": info["published"],
        "article_pages_read": len(paths[:50]),
        "load": f"wrk 2 threads, {args.connections} connections, {args.duration}s; 9 article reads : 1 home read",
        "server": f"gunicorn {args.workers} workers x {args.threads} threads behind varnishd (malloc 256m)",
        "edge_rps": load["rps"],
        "edge_p50_ms": load["p50_ms"],
        "edge_p99_ms": load["p99_ms"],
        "non_2xx_3xx": load["non_2xx_3xx"],
        "client_requests": delta["client_req"],
        "backend_requests": delta["backend_req"],
        "share_reaching_app": round(delta["backend_req"] / max(1, delta["client_req"]), 5),
        "publications": len(fresh_times),
        "purges": {level.lower(): purges.count(level) for level in sorted(set(purges))},
        # The editor's save, from the call to its return: the transaction, then the purge sent at commit.
        "save_and_purge_s": {
            "median": round(sorted(save_times)[len(save_times) // 2], 4) if save_times else None,
            "max": round(max(save_times), 4) if save_times else None,
        },
        # From the save's return (purge accepted by Varnish) to the first read at the edge that shows it.
        "purge_to_fresh_s": {
            "median": round(sorted(seen)[len(seen) // 2], 4) if seen else None,
            "max": round(max(seen), 4) if seen else None,
            "never_fresh_within_10s": fresh_times.count(None),
        },
    }
    (bench.RESULTS / "edge.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
