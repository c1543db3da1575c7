"""`PORT=18601 make run`: absolute links (feeds, Open Graph, JSON-LD) point at the port actually served."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import free_port
from tests.factories import make_article

BASE_DIR = Path(__file__).resolve().parents[2]


def _env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"DEBUG": "true", **overrides})
    return env


def _site_url(**overrides) -> str:
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_site_url_follows_port_unless_set_to_something_else():
    assert _site_url() == "http://127.0.0.1:8000"
    assert _site_url(PORT="18601") == "http://127.0.0.1:18601"
    assert _site_url(PORT="18601", SITE_URL="http://127.0.0.1:8000/") == "http://127.0.0.1:18601"
    assert _site_url(PORT="18601", SITE_URL="https://news.example.com") == "https://news.example.com"
    assert _site_url(PORT="18601", SITE_URL="http://127.0.0.1:9000") == "http://127.0.0.1:9000"


def test_make_run_script_exports_port():
    assert "export PORT=${PORT:-8000}" in (BASE_DIR / "scripts" / "run").read_text()


@pytest.mark.django_db(transaction=True)
def test_a_server_on_another_port_links_to_that_port():
    article = make_article(title="Links on the served port")
    port = free_port()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=_env(PORT=str(port), DATABASE_URL=database_url, REDIS_URL="", PAGE_CACHE_ENABLED="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # wait for the server to listen (a readiness poll, not a timed assertion)
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        feed = urllib.request.urlopen(f"{base}/feed/", timeout=30).read().decode()
        page = urllib.request.urlopen(f"{base}{article.get_absolute_url()}", timeout=30).read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert f"<link>{base}{article.get_absolute_url()}</link>" in feed
    assert f'<meta property="og:url" content="{base}{article.get_absolute_url()}"' in page
    assert f'"url": "{base}{article.get_absolute_url()}"' in page or f'"url":"{base}' in page
    assert "127.0.0.1:8000" not in feed and "127.0.0.1:8000" not in page
