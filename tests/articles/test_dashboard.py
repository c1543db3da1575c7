"""The newsroom dashboard on the admin index: per role, exact counts after a fixed set of actions."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import dashboard
from tests.articles.dashboard_world import DIGEST_FIGURES, EDITOR_COUNTS, WRITER_COUNTS, build_world

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counts(html) -> dict:
    return {m[0]: int(m[1]) for m in re.findall(r'id="(panel-[a-z-]+)" data-count="(\d+)"', html)}


def panel(html, panel_id) -> str:
    start = html.index(f'id="{panel_id}"')
    return html[start : html.index("</section>", start)]


def titles(html, panel_id) -> list[str]:
    return re.findall(r'/change/">([^<]+)</a>', panel(html, panel_id))


def test_editor_sees_the_desk_with_exact_counts_oldest_review_first():
    world = build_world()
    response = logged_in(world["editor"]).get(reverse("admin:index"))
    html = response.content.decode()
    assert counts(html) == {**EDITOR_COUNTS, "panel-drafts": 0, "panel-returned": 0, "panel-in-review": 0}
    assert titles(html, "panel-queue") == ["Oldest in the queue", "My brief in review"]
    assert titles(html, "panel-scheduled") == ["Scheduled in three days"]
    assert titles(html, "panel-published-today") == ["Out just now", "Out this morning"]
    assert titles(html, "panel-corrections") == ["Out yesterday"]
    for name, value in DIGEST_FIGURES.items():
        assert f'data-figure="{name}">{value}</dd>' in html
    assert 'id="dashboard-charts" hidden data-charts="{&quot;briefs&quot;' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html  # strict CSP: no inline script anywhere on the page


def test_writer_sees_own_work_only_and_no_editor_panels():
    world = build_world()
    html = logged_in(world["writer"]).get(reverse("admin:index")).content.decode()
    assert counts(html) == WRITER_COUNTS
    assert titles(html, "panel-returned") == ["Returned brief on scandium"]
    assert "Needs a second source" in panel(html, "panel-returned")
    assert titles(html, "panel-drafts") == ["Draft on terbium", "Draft on neodymium"]
    assert titles(html, "panel-in-review") == ["My brief in review"]
    assert "Another writer's draft" not in html and "Oldest in the queue" not in html
    assert "dashboard-charts" not in html


def test_chart_series_count_what_happened():
    build_world()
    data = dashboard.chart_data()
    assert (len(data["briefs"]["values"]), len(data["comments"]["values"]), len(data["subscribers"]["values"])) == (
        12,
        30,
        12,
    )
    # Published within the 12 weeks: two today, one yesterday, one 40 days ago (the scheduled ones are not out).
    assert sum(data["briefs"]["values"]) == 4
    assert sum(data["comments"]["values"]) == 6
    assert data["comments"]["values"][-1] == 6
    assert data["subscribers"]["values"][-1] == 5


def test_the_dashboard_costs_a_fixed_number_of_queries():
    world = build_world()
    client = logged_in(world["editor"])
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("admin:index"))
    from tests.factories import make_article

    for n in range(30):
        make_article(title=f"More {n}", status="review")
    with CaptureQueriesContext(connection) as larger:
        client.get(reverse("admin:index"))
    assert len(larger.captured_queries) == len(small.captured_queries)
