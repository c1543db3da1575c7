"""EstimatedCountPaginator: no COUNT(*) over big tables; exact counts for small results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from reex import admin_paginator
from reex.admin_paginator import EstimatedCountPaginator
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def comments():
    article = make_article()
    Comment.objects.bulk_create(
        Comment(
            article=article,
            name=f"Reader {n}",
            email=f"reader{n}@example.org",
            body=f"Comment number {n}",
            status=Comment.Status.APPROVED if n % 4 else Comment.Status.PENDING,
        )
        for n in range(400)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    return article


def _count(queryset):
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(queryset, 100).count
    return count, [q["sql"] for q in queries.captured_queries]


def test_small_results_are_counted_exactly(comments):
    count, sql = _count(Comment.objects.filter(status=Comment.Status.PENDING).order_by("-created_at"))
    assert count == 100
    assert any("COUNT(" in statement.upper() for statement in sql)


def test_big_unfiltered_tables_use_the_planner_row_count_without_counting(comments, monkeypatch):
    monkeypatch.setattr(admin_paginator, "EXACT_BELOW", 50)
    count, sql = _count(Comment.objects.order_by("-created_at"))
    assert count == 400  # reltuples is exact right after ANALYZE
    assert not any("COUNT(" in statement.upper() for statement in sql)
    assert any("reltuples" in statement for statement in sql)


def test_big_filtered_results_use_the_planner_estimate(comments, monkeypatch):
    monkeypatch.setattr(admin_paginator, "EXACT_BELOW", 50)
    count, sql = _count(Comment.objects.filter(status=Comment.Status.APPROVED))
    assert 200 <= count <= 400  # an estimate of the 300 approved
    assert not any("COUNT(" in statement.upper() for statement in sql)


def test_lists_are_counted_as_usual():
    assert EstimatedCountPaginator(list(range(7)), 5).count == 7
