"""Benchmark the reader site as it runs in production, at demo size and at seed_scale size.

For each size: a database of its own on PostgreSQL, migrated and filled; static files
collected into a temporary STATIC_ROOT; gunicorn with DEBUG off, the manifest static
storage and Redis (its own db index, flushed) as the cache; then wrk over loopback
against each page, and the ceiling (a constant response through the same middleware
and server) measured in the same run. SQL queries per page are counted in-process
against the same database. Results: bench/results/latest.json and latest.md.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
# BENCH_DB_PREFIX keeps concurrent benchmark runs (several worktrees on one server) off each other's data.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "reex")
SIZES = {
    # name: database, seed_scale counts (None = the demo content of `load_demo`)
    "demo": (f"{DB_PREFIX}_bench_demo", None),
    "scale": (f"{DB_PREFIX}_scale", {"articles": 100_000, "comments": 1_000_000, "subscribers": 1_000_000}),
}
SEARCHES = [
    "dysprosium",
    "Lynas",
    "magnet recycling",
    "export controls",
    "terbium Vietnam",
    "solvent extraction",
    "rare earth prices",
    "Serra Verde project",
    "heavy rare earths",
    "gallium",
]

# What browsers send; page runs send it too, so cached pages are served compressed as readers get them.
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
# Issue 17's goals: (what, page key or figure, limit per size, higher_is_better)
GOALS = [
    ("cold article render (in-process, ms)", "cold:article", {"demo": 7, "scale": 7}, False),
    ("cold home render (ms)", "cold:home", {"demo": 7, "scale": 15}, False),
    ("cold section render (ms)", "cold:section", {"demo": 7, "scale": 15}, False),
    ("cold tag render (ms)", "cold:tag", {"demo": 7, "scale": 15}, False),
    ("cold author render (ms)", "cold:author", {"demo": 7, "scale": 15}, False),
    ("article uncached under wrk (× ceiling)", "ratio:article (uncached)", {"demo": 0.08, "scale": 0.08}, True),
    ("article cached (× ceiling)", "ratio:article (cached)", {"demo": 0.8, "scale": 0.8}, True),
    ("home cached (× ceiling)", "ratio:home (cached)", {"demo": 0.8, "scale": 0.8}, True),
    ("ceiling (× bare Django)", "ceiling_to_bare_django", {"demo": 0.9, "scale": 0.9}, True),
]

LUA_ROTATE = """
paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1] .. "%s" .. n)
end
"""
LUA_COMMENT = """
n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=%(cookie)s"
request = function()
  n = n + 1
  -- The run token keeps bodies unique across runs: the site refuses an identical repeat comment.
  local id = "%(run)s-" .. n
  local body = "csrfmiddlewaretoken=%(token)s&ts=%(ts)s&name=Bench+Reader&email=bench" .. id ..
    "%%40example.org&url=&homepage=&parent=&body=A+benchmark+comment+number+" .. id
  return wrk.format("POST", "%(path)s", nil, body)
end
"""


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# --- database -------------------------------------------------------------------------------


def ensure_database(name: str) -> None:
    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
    conn.close()


def scalar(database: str, sql: str, params=()):
    conn = psycopg2.connect(f"{PG}/{database}")
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    conn.close()
    return row[0] if row else None


def rows(database: str, sql: str, params=()):
    conn = psycopg2.connect(f"{PG}/{database}")
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    conn.close()
    return result


def manage(env: dict, *args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done


def prepare_database(size: str, env: dict, seed_override: dict | None) -> dict:
    database, counts = SIZES[size]
    counts = seed_override or counts
    ensure_database(database)
    log(f"{size}: migrating {database}")
    manage(env, "migrate", "--noinput")
    articles = scalar(database, "SELECT count(*) FROM articles_article")
    if counts is None:
        if not articles:
            log(f"{size}: loading the demo content (load_demo)")
            done = manage({**env, "DEBUG": "true"}, "load_demo", check=False)
            if done.returncode != 0 or not scalar(database, "SELECT count(*) FROM articles_article"):
                log(f"{size}: load_demo gave no articles ({done.stderr.strip()[-300:]}); seeding 40 instead")
                manage(
                    {**env, "BENCH_TOOLS": "true"},
                    "seed_scale",
                    f"--database={database}",
                    "--articles=40",
                    "--comments=400",
                    "--subscribers=200",
                )
    elif articles < counts["articles"]:
        log(f"{size}: seeding {counts} (seed_scale; several minutes)")
        started = time.monotonic()
        done = subprocess.run(
            [PY, "manage.py", "seed_scale", f"--database={database}", *(f"--{k}={v}" for k, v in counts.items())],
            cwd=ROOT,
            env={**env, "BENCH_TOOLS": "true"},
            check=True,
            capture_output=True,
            text=True,
        )
        (RESULTS / f"seed_{size}.log").write_text(done.stdout)
        log(f"{size}: seeded in {time.monotonic() - started:.0f}s")
    return {
        "database": database,
        "articles": scalar(database, "SELECT count(*) FROM articles_article"),
        "published": scalar(
            database, "SELECT count(*) FROM articles_article WHERE status='published' AND published_at <= now()"
        ),
        "comments": scalar(database, "SELECT count(*) FROM comments_comment"),
        "subscribers": scalar(database, "SELECT count(*) FROM newsletter_subscriber"),
    }


# --- server ---------------------------------------------------------------------------------


def server_env(database: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "PAGE_CACHE_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="true",
        REEX_VAR_DIR=str(var_dir),
        DATABASE_URL=f"{PG}/{database}",
        REDIS_URL=REDIS,
        CACHE_KEY_PREFIX="bench",
        BENCH_CEILING="1",
        LOG_LEVEL="WARNING",
        # The comment POST benchmark sends many comments from one address on purpose.
        COMMENTS_THROTTLE_PER_IP="100000000",
        COMMENTS_THROTTLE_PER_EMAIL="100000000",
        COMMENTS_MIN_SECONDS="0",
        COMMENTS_CLOSE_AFTER_DAYS="0",
    )
    return env


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def start_server(
    env: dict, port: int, workers: int, threads: int, *, app="reex.wsgi:application", ready="/healthz"
) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            GUNICORN,
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(RESULTS / "gunicorn.log", "a"),  # noqa: SIM115 -- lives as long as the server
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=5) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"gunicorn did not answer {ready} within 60 s; see bench/results/gunicorn.log")


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def fetch(url: str, headers=None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- wrk ------------------------------------------------------------------------------------


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    number, unit = float(match.group(1)), match.group(2)
    return round(number * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 3)


def wrk(url: str, *, duration: int, connections: int, threads: int, script: str | None = None, headers=()) -> dict:
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    script_file = None
    if script:
        script_file = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script_file.write(script)
        script_file.close()
        command += ["-s", script_file.name]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if script_file:
        os.unlink(script_file.name)
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "99"):
        result[f"p{percentile}_ms"] = _ms(re.search(rf"^\s+{percentile}%\s+(\S+)", output, re.M).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx_3xx"] = int(errors.group(1)) if errors else 0
    socket = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = socket.group(1) if socket else ""
    return result


# --- SQL queries per page ---------------------------------------------------------------------

QUERY_COUNTER = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
paths = json.loads(sys.argv[1])
out = {}
client = Client(SERVER_NAME="127.0.0.1")
for name, path in paths.items():
    with override_settings(PAGE_CACHE_ENABLED=False):
        client.get(path)  # warm connection-level state
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(path).status_code
    uncached = len(ctx.captured_queries)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    out[name] = {"status": status, "uncached": uncached, "cached": len(ctx.captured_queries),
                 "cache": response.headers.get("X-Page-Cache", "-")}
print(json.dumps(out))
"""


def count_queries(env: dict, paths: dict) -> dict:
    done = subprocess.run(
        [PY, "-c", QUERY_COUNTER, json.dumps(paths)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "reex.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def cold_renders(env: dict, paths: dict) -> dict:
    """In-process render times with the cache cleared before each render (bench/cold.py)."""
    done = subprocess.run(
        [PY, "-m", "bench.cold", json.dumps(paths), "15"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "reex.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench/cold.py failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- one size -------------------------------------------------------------------------------


def bench_size(size: str, args) -> dict:
    database, _ = SIZES[size]
    var_dir = Path(tempfile.mkdtemp(prefix=f"reex-bench-{size}-"))
    env = server_env(database, var_dir)
    try:
        data = prepare_database(size, env, json.loads(args.seed) if args.seed and size == "scale" else None)
        log(f"{size}: {data}")
        log(f"{size}: collectstatic into {var_dir}/static")
        manage(env, "collectstatic", "--noinput", "-v0")
        flush_redis()
        server = start_server(env, args.port, args.workers, args.threads)
        try:
            return {"data": data, **measure(size, env, database, args)}
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def measure(size: str, env: dict, database: str, args) -> dict:
    base = f"http://127.0.0.1:{args.port}"
    live = "status='published' AND published_at <= now()"
    # A busy article (most comments) is the one readers share; others are picked evenly through the archive.
    article = rows(
        database,
        f"SELECT a.id, a.slug FROM articles_article a LEFT JOIN comments_comment c ON c.article_id = a.id "  # noqa: S608
        f"AND c.status = 'approved' WHERE a.{live} AND a.allow_comments GROUP BY a.id "
        "ORDER BY count(c.id) DESC, a.published_at DESC LIMIT 1",
    )[0]
    total = scalar(database, f"SELECT count(*) FROM articles_article WHERE {live}")  # noqa: S608
    step = max(1, total // 500)
    spread = rows(
        database,
        f"SELECT slug FROM (SELECT slug, row_number() OVER (ORDER BY id) AS n FROM articles_article "  # noqa: S608
        f"WHERE {live}) s WHERE n %% %s = 0 LIMIT 500",
        [step],
    )
    article_path = f"/news/{article[1]}/"
    slugs = [f"/news/{slug}/" for (slug,) in spread] or [article_path]

    # The list pages of the measured article's section, the most used tag and the busiest author.
    section = scalar(
        database,
        "SELECT s.slug FROM articles_section s JOIN articles_article a ON a.section_id = s.id WHERE a.id = %s",
        [article[0]],
    )
    tag = scalar(
        database,
        "SELECT t.slug FROM taggit_tag t JOIN taggit_taggeditem i ON i.tag_id = t.id GROUP BY t.id "
        "ORDER BY count(*) DESC LIMIT 1",
    )
    author = scalar(
        database,
        "SELECT u.slug FROM articles_author u JOIN articles_articleauthor b ON b.author_id = u.id GROUP BY u.id "
        "ORDER BY count(*) DESC LIMIT 1",
    )
    lists = {"section": f"/section/{section}/", "tag": f"/tag/{tag}/", "author": f"/author/{author}/"}
    pages = {"home": "/", "article": article_path, **lists, "feed": "/feed/", "search": "/search/?q=magnet+recycling"}
    log(f"{size}: counting SQL queries per page")
    queries = count_queries(env, pages)
    log(f"{size}: cold renders in-process (cache cleared before each)")
    cold = cold_renders(env, {"home": "/", "article": article_path, **lists})
    log(f"{size}: cold: {cold}")
    for path in pages.values():  # warm the page cache
        fetch(base + path, {"Accept-Encoding": BROWSER_ENCODINGS})
        fetch(base + path, {"Accept-Encoding": BROWSER_ENCODINGS})
    status, headers, body = fetch(base + article_path)
    assert status == 200 and headers.get("X-Page-Cache") == "hit", (status, headers)
    static = re.search(rb'href="(/static/css/site\.[0-9a-f]+\.css)"', body)
    static_headers = fetch(base + static.group(1).decode(), {"Accept-Encoding": "gzip, br"})[1] if static else {}

    comment_form = re.search(rb'name="ts" value="([^"]+)"', body)
    csrf_status, csrf_headers, csrf_body = fetch(base + "/csrf/")
    token = json.loads(csrf_body)["token"]
    cookie = re.search(r"csrftoken=([^;]+)", csrf_headers.get("Set-Cookie", "")).group(1)

    options = {"duration": args.duration, "connections": args.connections, "threads": args.wrk_threads}
    results = {}

    def run(name, url, script=None, headers=(f"Accept-Encoding: {BROWSER_ENCODINGS}",)):
        log(f"{size}: wrk {name}")
        results[name] = wrk(url, script=script, headers=headers, **options)
        log(f"{size}: {name}: {results[name]}")

    run("ceiling", f"{base}/__bench/ceiling")
    bare_port = args.port + 1
    bare = start_server(
        {**env, "DJANGO_SETTINGS_MODULE": "bench.bare"},
        bare_port,
        args.workers,
        args.threads,
        app="django.core.wsgi:get_wsgi_application()",
        ready="/__bench/ceiling",
    )
    try:
        run("bare Django (startproject middleware)", f"http://127.0.0.1:{bare_port}/__bench/ceiling")
    finally:
        stop_server(bare)
    run("home (cached)", f"{base}/")
    run("article (cached)", f"{base}{article_path}")
    for name, path in lists.items():
        run(f"{name} (cached)", f"{base}{path}")
    lua_paths = ", ".join(json.dumps(path) for path in slugs)
    # Every request a different URL (a cache-busting query string): each one is rendered, as a cold page is.
    run("article (uncached)", f"{base}/", LUA_ROTATE % (lua_paths, "?bench="))
    run("feed (cached)", f"{base}/feed/")
    search_paths = ", ".join(json.dumps("/search/?q=" + q.replace(" ", "+")) for q in SEARCHES)
    run("search", f"{base}/", LUA_ROTATE % (search_paths, "&bench="))
    if comment_form:
        script = LUA_COMMENT % {
            "cookie": cookie,
            "token": token,
            "ts": comment_form.group(1).decode(),
            "path": f"/comments/post/{article[0]}/",
            "run": secrets.token_hex(6),
        }
        run("comment POST", f"{base}/", script)
    run("ceiling (again)", f"{base}/__bench/ceiling")
    ceiling = (results["ceiling"]["rps"] + results["ceiling (again)"]["rps"]) / 2
    for result in results.values():
        result["ratio_to_ceiling"] = round(result["rps"] / ceiling, 3)
    return {
        "ceiling_rps": round(ceiling, 1),
        "ceiling_to_bare_django": round(ceiling / results["bare Django (startproject middleware)"]["rps"], 3),
        "pages": results,
        "cold_render_ms": cold,
        "sql_queries": queries,
        "article_path": article_path,
        "static_file_headers": {
            k: v for k, v in static_headers.items() if k in ("Cache-Control", "Content-Encoding", "Content-Type")
        },
    }


# --- report ---------------------------------------------------------------------------------


def markdown(report: dict) -> str:
    lines = [
        f"# Benchmark results ({report['finished_at']})",
        "",
        f"Machine: {report['machine']}. Server: gunicorn, {report['server']}. Load: wrk {report['load']}.",
        f"Load average when the run started: {report['load_average']}. "
        "The ceiling is a constant response through the same middleware and server, measured at the start "
        "and end of each size's run; ratios are to their mean.",
        "",
    ]
    sizes = list(report["sizes"])
    names = []
    for size in sizes:
        for name in report["sizes"][size]["pages"]:
            if name not in names and name != "ceiling (again)":
                names.append(name)
    header = "| page | " + " | ".join(f"{s} req/s | {s} p50 / p99 ms | {s} × ceiling" for s in sizes) + " |"
    lines += [header, "|" + "---|" * (1 + 3 * len(sizes))]
    for name in names:
        cells = []
        for size in sizes:
            r = report["sizes"][size]["pages"].get(name)
            cells += (
                [f"{r['rps']:.0f}", f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f}", f"{r['ratio_to_ceiling']:.0%}"]
                if r
                else ["-", "-", "-"]
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Cold renders in-process (bench/cold.py: Django's test client, cache cleared before each of 15 "
        "renders; wall median / best ms, the Python process's CPU median, SQL queries):",
        "",
    ]
    lines += ["| page | " + " | ".join(sizes) + " |", "|" + "---|" * (1 + len(sizes))]
    for page in report["sizes"][sizes[0]].get("cold_render_ms", {}):
        cells = []
        for size in sizes:
            c = report["sizes"][size].get("cold_render_ms", {}).get(page)
            cells.append(
                f"{c['median_ms']} / {c['best_ms']} ms (CPU {c.get('cpu_median_ms', '-')} ms), {c['queries']} q"
                if c
                else "-"
            )
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += ["", "Goals (issue 17):", ""]
    lines += ["| goal | " + " | ".join(sizes) + " |", "|" + "---|" * (1 + len(sizes))]
    for label, key, limits, higher in GOALS:
        cells = []
        for size in sizes:
            data = report["sizes"][size]
            kind, _, name = key.partition(":")
            if kind == "cold":
                value = data.get("cold_render_ms", {}).get(name, {}).get("median_ms")
            elif kind == "ratio":
                value = data["pages"].get(name, {}).get("ratio_to_ceiling")
            else:
                value = data.get(key)
            limit = limits.get(size)
            if value is None or limit is None:
                cells.append("-")
                continue
            met = value >= limit if higher else value <= limit
            shown = f"{value:.0%}" if kind == "ratio" or key == "ceiling_to_bare_django" else f"{value} ms"
            goal = f"{limit:.0%}" if kind == "ratio" or key == "ceiling_to_bare_django" else f"{limit} ms"
            cells.append(f"{shown} ({'met' if met else 'MISSED'}; goal {'≥' if higher else '≤'} {goal})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "SQL queries per page (uncached render / served from the page cache):", ""]
    lines += ["| page | " + " | ".join(sizes) + " |", "|" + "---|" * (1 + len(sizes))]
    for page in report["sizes"][sizes[0]]["sql_queries"]:
        cells = []
        for size in sizes:
            q = report["sizes"][size]["sql_queries"].get(page, {})
            cells.append(f"{q.get('uncached', '-')} / {q.get('cached', '-')}")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += ["", "Data:", ""]
    for size in sizes:
        lines.append(f"- {size}: {report['sizes'][size]['data']}")
    for size in sizes:
        lines.append(f"- static files ({size}): {report['sizes'][size]['static_file_headers']}")
    errors = [
        f"{size}/{name}: {r['non_2xx_3xx']} non-2xx/3xx, socket errors: {r['socket_errors'] or 'none'}"
        for size in sizes
        for name, r in report["sizes"][size]["pages"].items()
        if r["non_2xx_3xx"] or r["socket_errors"]
    ]
    if errors:
        lines += ["", "Errors during the run:", "", *(f"- {e}" for e in errors)]
    lines += ["", f"Reproduce: `{report['command']}`", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="demo,scale")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", default="", help='seed_scale counts for the scale size, as JSON: {"articles": 1000}')
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "server": f"{args.workers} workers × {args.threads} threads (gthread), DEBUG off, Redis cache",
        "load": f"{args.connections} connections, {args.wrk_threads} thread(s), {args.duration}s per page",
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "command": "make bench" if len(sys.argv) == 1 else "bench/run " + " ".join(sys.argv[1:]),
        "sizes": {},
    }
    for size in args.sizes.split(","):
        report["sizes"][size] = bench_size(size, args)
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
