"""EstimatedCountPaginator: no COUNT(*) over big tables; exact counts for small results."""

from datetime import UTC

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from reex import admin_paginator
from reex.admin_paginator import EstimatedCountPaginator
from tests.factories import make_article

pytestmark = pytest.mark.django_db
# The admin's address as the settings place it (ADMIN_URL), never a hardcoded /admin/.
ADMIN = f"/{settings.ADMIN_URL}"


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


def test_scale_admin_changelist_has_no_count_and_no_distinct_dates(comments, rf, monkeypatch):
    from datetime import datetime

    from django.contrib import admin
    from django.contrib.admin import AdminSite
    from django.contrib.messages.storage.fallback import FallbackStorage

    from reex.admin_paginator import ScaleAdminMixin
    from tests.factories import make_user

    monkeypatch.setattr(admin_paginator, "EXACT_BELOW", 50)
    Comment.objects.filter(pk__in=Comment.objects.order_by("id").values("pk")[:5]).update(
        created_at=datetime(2023, 3, 4, 12, 0, tzinfo=UTC)
    )
    site = AdminSite(name="scale_test")

    class CommentScaleAdmin(ScaleAdminMixin, admin.ModelAdmin):
        list_display = ["name", "status"]
        list_filter = ["status"]
        date_hierarchy = "created_at"

    site.register(Comment, CommentScaleAdmin)
    request = rf.get(f"{ADMIN}comments/comment/")
    request.user = make_user(is_staff=True, is_superuser=True)
    request.session = {}
    request._messages = FallbackStorage(request)
    with CaptureQueriesContext(connection) as queries:
        response = site._registry[Comment].changelist_view(request)
        html = response.render().content.decode()
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "COUNT(" not in sql
    assert "DISTINCT" not in sql
    # The drill-down still offers every year from the first comment to the last.
    this_year = datetime.now(UTC).year
    for year in range(2023, this_year + 1):
        assert f"?created_at__year={year}" in html
    assert "400 comments" in html  # the planner's figure, exact right after ANALYZE
