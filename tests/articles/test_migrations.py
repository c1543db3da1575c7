"""The data migration that typed existing sources: forwards gives sensible types, backwards restores the rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("articles", "0004_source_kind")]
AFTER = [("articles", "0005_source_kind_data")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_sources_get_types_marked_organisations_and_back():
    apps = _migrate(BEFORE)
    Source = apps.get_model("articles", "Source")
    rows = [
        ("U.S. Geological Survey", "Mineral commodity summaries 2025", "U.S. Geological Survey", "report", None),
        ("Smith, Ann\nIEA", "A paper", "Journal of Rare Earths", "peer_reviewed", "10.1000/x"),
        ("European Parliament", "Regulation (EU) 2024/1252", "Official Journal of the European Union", "other", None),
        ("Zenodo team,", "Magnet dataset", "Zenodo", "dataset", "10.5281/zenodo.1"),
    ]
    for authors, title, container, evidence, doi in rows:
        Source.objects.create(authors=authors, title=title, container=container, evidence=evidence, doi=doi)
    before = list(Source.objects.order_by("id").values_list("authors", "container"))

    Source = _migrate(AFTER).get_model("articles", "Source")
    after = list(Source.objects.order_by("id").values_list("kind", "authors", "container", "institution", "publisher"))
    assert after == [
        ("report", "org: U.S. Geological Survey", "", "U.S. Geological Survey", ""),
        ("journal_article", "Smith, Ann\norg: IEA", "Journal of Rare Earths", "", ""),
        ("legislation", "org: European Parliament", "Official Journal of the European Union", "", ""),
        ("dataset", "Zenodo team,", "", "", "Zenodo"),
    ]

    Source = _migrate(BEFORE).get_model("articles", "Source")
    assert list(Source.objects.order_by("id").values_list("authors", "container")) == before
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
