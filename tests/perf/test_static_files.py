"""Production static files: hashed names, compressed copies, far-future immutable caching (WhiteNoise)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json
import django
from django.core.management import call_command
django.setup()
call_command("collectstatic", interactive=False, verbosity=0)
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
client = Client()
out = {}
for name in ("css/site.css", "js/site.js", "vendor/bootstrap/bootstrap.min.css"):
    url = staticfiles_storage.url(name)
    plain = client.get(url)
    gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    out[name] = {
        "url": url,
        "status": plain.status_code,
        "cache_control": plain.headers.get("Cache-Control"),
        "gzip_encoding": gzipped.headers.get("Content-Encoding"),
        "vary": gzipped.headers.get("Vary"),
    }
print(json.dumps(out))
"""


def test_collected_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "reex.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": "static-files-test-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "true",
        "REEX_VAR_DIR": str(tmp_path),
        # Never connected to: serving static files needs no database.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
    }
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    files = json.loads(done.stdout.strip().splitlines()[-1])
    for name, served in files.items():
        stem = name.rsplit(".", 1)[0]
        assert served["url"].startswith(f"/static/{stem}.") and served["url"] != f"/static/{name}", served
        assert served["status"] == 200, served
        assert served["cache_control"] == "max-age=315360000, public, immutable", served
        assert served["gzip_encoding"] == "gzip", served
        assert "Accept-Encoding" in served["vary"], served
    assert (tmp_path / "static" / "staticfiles.json").exists()
