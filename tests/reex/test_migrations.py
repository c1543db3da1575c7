"""Migrations: none missing, all apply to an empty database and to one full of data, the newest reverse cleanly.

The schema work runs in subprocesses against a throwaway database, so the
test database (and any parallel run) is never migrated backwards.
"""

import json

import pytest
from django.core.management import call_command, get_commands

from tests.reex import scratch_db

# Runs inside `manage.py shell`: reverse the newest migration of each of our
# apps (latest in the plan first, so dependants go before what they depend
# on), then re-apply everything once; prints what it did as JSON.
# KEEP_DATA=True leaves initial migrations alone (reversing them drops the tables).
REVERSE_NEWEST = """
import json
from pathlib import Path
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

KEEP_DATA = {keep_data}
base = Path(settings.BASE_DIR).resolve()
ours = [
    c.label for c in apps.get_app_configs()
    if Path(c.path).resolve().is_relative_to(base) and "site-packages" not in Path(c.path).parts
]
loader = MigrationLoader(connection)
order = {{node: i for i, node in enumerate(
    node for leaf in loader.graph.leaf_nodes() for node in loader.graph.forwards_plan(leaf)
)}}
targets = []
for app in ours:
    leaves = loader.graph.leaf_nodes(app)
    if not leaves:
        continue
    assert len(leaves) == 1, f"{{app}} has conflicting leaf migrations: {{leaves}}"
    leaf = leaves[0]
    parents = sorted(p for p in loader.graph.node_map[leaf].parents if p[0] == app)
    target = parents[-1][1] if parents else "zero"
    if KEEP_DATA and target == "zero":
        continue
    targets.append((order[leaf], app, leaf[1], target))
done = []
for _, app, leaf, target in sorted(targets, reverse=True):
    call_command("migrate", app, target, verbosity=0, interactive=False)
    done.append([app, leaf, target])
call_command("migrate", verbosity=0, interactive=False)
print("RESULT " + json.dumps(done))
"""


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    # Raises SystemExit(1) and lists the missing migrations if any model changed.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _reverse_newest(database: str, *, keep_data: bool = False) -> list:
    code = REVERSE_NEWEST.format(keep_data=keep_data)
    result = scratch_db.manage("shell", "-c", code, database=database, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture
def scratch():
    name = scratch_db.create_database("reex_migrate")
    yield name
    scratch_db.drop_database(name)


def test_migrations_apply_to_an_empty_database_and_the_newest_reverse(scratch):
    applied = scratch_db.manage("migrate", "--no-input", database=scratch)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    reversed_ = _reverse_newest(scratch)
    apps_done = {app for app, _, _ in reversed_}
    assert {"articles", "comments"} <= apps_done <= {"articles", "comments", "newsletter", "reex"}, reversed_
    check = scratch_db.manage("migrate", "--check", database=scratch)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.skipif("seed_scale" not in get_commands(), reason="seed_scale (bench data) is not installed")
def test_the_newest_migrations_reverse_and_reapply_on_a_database_full_of_data(scratch):
    assert scratch_db.manage("migrate", "--no-input", database=scratch).returncode == 0
    seeded = scratch_db.manage(
        "seed_scale",
        f"--database={scratch}",
        "--articles=60",
        "--comments=300",
        "--subscribers=200",
        database=scratch,
        timeout=600,
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    before = scratch_db.query(scratch, "SELECT count(*) FROM articles_article")[0][0]
    assert before == 60
    reversed_ = _reverse_newest(scratch, keep_data=True)
    assert scratch_db.manage("migrate", "--check", database=scratch).returncode == 0
    # Reversing a migration may drop what it added, but never the articles themselves.
    assert scratch_db.query(scratch, "SELECT count(*) FROM articles_article")[0][0] == before, reversed_
