"""`manage.py backup` and `manage.py restore`: a round-trip keeps every article, comment, subscriber and consent."""

import pytest
from django.conf import settings
from django.db import connection

from articles.models import Article
from comments.models import Comment
from newsletter.models import ConsentRecord, Subscriber
from tests.factories import make_article
from tests.reex import scratch_db

TABLES = {
    "articles": Article._meta.db_table,
    "comments": Comment._meta.db_table,
    "subscribers": Subscriber._meta.db_table,
    "consents": ConsentRecord._meta.db_table,
}


def _counts(database: str) -> dict[str, int]:
    return {key: scratch_db.query(database, f'SELECT count(*) FROM "{table}"')[0][0] for key, table in TABLES.items()}  # noqa: S608


def _fill():
    for i in range(3):
        article = make_article(full_brief=True, title=f"Backed-up brief {i}")
        for j in range(i + 1):
            Comment.objects.create(
                article=article, name=f"Reader {j}", email=f"r{j}@example.org", body="Good point.", status="approved"
            )
    make_article(status=Article.Status.DRAFT, title="A draft survives too")
    for i in range(4):
        subscriber = Subscriber.objects.create(email=f"sub{i}@example.org", status=Subscriber.Status.CONFIRMED)
        ConsentRecord.objects.create(subscriber=subscriber, form_version="2026-11", consent_text="Yes, email me.")


@pytest.fixture
def scratch():
    name = scratch_db.create_database("reex_restore")
    yield name
    scratch_db.drop_database(name)


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_round_trip(tmp_path, scratch):
    _fill()
    source = connection.settings_dict["NAME"]
    expected = _counts(source)
    assert expected == {"articles": 4, "comments": 6, "subscribers": 4, "consents": 4}

    archive = tmp_path / "site.dump"
    backup = scratch_db.manage("backup", "--output", str(archive), database=source)
    assert backup.returncode == 0, backup.stderr
    assert archive.stat().st_size > 0
    assert archive.stat().st_mode & 0o077 == 0  # not readable by other users: it holds email addresses
    assert not archive.with_name("site.dump.partial").exists()

    # Into an empty database (a new server after a disaster) ...
    restored = scratch_db.manage("restore", "--no-input", str(archive), database=scratch)
    assert restored.returncode == 0, restored.stderr
    assert _counts(scratch) == expected

    # ... and over a database that has since lost and gained rows.
    scratch_db.query(scratch, f'DELETE FROM "{TABLES["comments"]}"')  # noqa: S608
    scratch_db.query(scratch, f'DELETE FROM "{TABLES["consents"]}"')  # noqa: S608
    scratch_db.query(scratch, f"DELETE FROM \"{TABLES['subscribers']}\" WHERE email LIKE 'sub1%%'")  # noqa: S608
    assert _counts(scratch)["comments"] == 0
    again = scratch_db.manage("restore", "--no-input", str(archive), database=scratch)
    assert again.returncode == 0, again.stderr
    assert _counts(scratch) == expected
    titles = {row[0] for row in scratch_db.query(scratch, f'SELECT title FROM "{TABLES["articles"]}"')}  # noqa: S608
    assert "A draft survives too" in titles

    # The restored database is a working site: migrations are all recorded as applied.
    plan = scratch_db.manage("migrate", "--check", database=scratch)
    assert plan.returncode == 0, plan.stdout + plan.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path, scratch):
    _fill()
    source = connection.settings_dict["NAME"]
    archive = tmp_path / "good.dump"
    assert scratch_db.manage("backup", "-o", str(archive), database=source).returncode == 0
    assert scratch_db.manage("restore", "--no-input", str(archive), database=scratch).returncode == 0
    before = _counts(scratch)

    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDMP" + b"\x00" * 64)  # the magic number, then nothing sensible
    result = scratch_db.manage("restore", "--no-input", str(junk), database=scratch)
    assert result.returncode != 0
    assert "Not a pg_dump custom-format archive" in result.stderr or "pg_restore failed" in result.stderr
    assert _counts(scratch) == before

    missing = scratch_db.manage("restore", "--no-input", str(tmp_path / "nope.dump"), database=scratch)
    assert missing.returncode != 0
    assert "No such backup file" in missing.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_asks_before_replacing_the_database(tmp_path, scratch):
    source = connection.settings_dict["NAME"]
    archive = tmp_path / "a.dump"
    assert scratch_db.manage("backup", "-o", str(archive), database=source).returncode == 0
    result = scratch_db.manage("restore", str(archive), database=scratch, input_text="no\n")
    assert result.returncode != 0
    assert "Restore cancelled" in result.stderr
    assert scratch_db.query(scratch, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0][0] == 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_backup_leaves_no_file(tmp_path):
    target = tmp_path / "out.dump"
    result = scratch_db.manage("backup", "-o", str(target), database="reex_no_such_database_h5")
    assert result.returncode != 0
    assert "pg_dump failed" in result.stderr
    assert not target.exists() and not target.with_name("out.dump.partial").exists()


def test_the_default_backup_location_is_under_backup_dir():
    assert str(settings.BACKUP_DIR).endswith("backups")
