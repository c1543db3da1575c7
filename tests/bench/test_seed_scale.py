"""seed_scale is dev data: production does not have it, and it fills only the database it is told to."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-enough-0123456789",
    "ALLOWED_HOSTS": "news.example.org",
}


def _help(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BENCH_TOOLS"} | PRODUCTION_ENV | extra_env
    return subprocess.run(
        [sys.executable, "manage.py", "help", "seed_scale"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_production_settings_do_not_install_the_command():
    done = _help({})
    assert done.returncode == 1
    assert "Unknown command: 'seed_scale'" in done.stderr


def test_bench_tools_installs_it_even_with_debug_off():
    done = _help({"BENCH_TOOLS": "true"})
    assert done.returncode == 0, done.stderr
    assert "--database" in done.stdout


@pytest.mark.django_db
def test_refuses_a_database_it_was_not_told_to_fill():
    with pytest.raises(CommandError, match="does not name it"):
        call_command("seed_scale", articles=3, comments=0, subscribers=0, confirm_database="reex_scale")
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_refuses_when_bench_tools_is_off_even_if_installed(settings):
    settings.BENCH_TOOLS = False
    name = connection.settings_dict["NAME"]
    with pytest.raises(CommandError, match="BENCH_TOOLS is off"):
        call_command("seed_scale", articles=3, comments=0, subscribers=0, confirm_database=name)
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_fills_the_database_it_names():
    name = connection.settings_dict["NAME"]
    call_command("seed_scale", articles=60, comments=0, subscribers=0, confirm_database=name, stdout=io.StringIO())
    assert Article.objects.count() == 60
