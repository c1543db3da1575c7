"""A changelist paginator that does not COUNT(*) a million rows on every page.

PostgreSQL counts by reading every row (or every index entry). For a table of
a million comments that is most of the time an admin page takes. Editors need
"about how many", not an exact figure, once there are tens of thousands:

- unfiltered: the planner's row count for the table (pg_class.reltuples, kept
  up to date by autovacuum/ANALYZE), free to read;
- filtered or searched: the planner's estimate for the query (EXPLAIN), also
  free; small results (under EXACT_BELOW) are counted exactly, so "3 pending
  comments" is always right.

Use it with `show_full_result_count = False` on the ModelAdmin.
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None:  # a list, not a queryset
            return super().count
        estimate = _estimate(queryset)
        if estimate is None or estimate < EXACT_BELOW:
            return super().count
        return estimate


def _estimate(queryset) -> int | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    query = queryset.query
    try:
        with connection.cursor() as cursor:
            if not query.where and not query.distinct and not query.combinator:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
                estimate = row[0] if row else None
            else:
                sql, params = queryset.order_by().values("pk").query.sql_with_params()
                # The SQL is Django's own for this queryset; values stay in params.
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                estimate = int(plan[0]["Plan"]["Plan Rows"])
    except Exception:  # an estimate is a nicety; the exact count always works
        return None
    return estimate if estimate is not None and estimate >= 0 else None


# --- the date drill-down without DISTINCT over every row ---------------------------------------


class _RangeDates:
    """`dates()`/`datetimes()` as the admin's date hierarchy uses them, from MIN and MAX only.

    Django's drill-down asks for the DISTINCT years (then months, days) of the
    filtered rows, which reads every row. On a news archive every year and month
    between the first and the last row has rows, so listing the range is the same
    answer for the price of two index lookups. (A gap would show as a link to an
    empty list, nothing worse.)
    """

    def dates(self, field_name, kind, order="ASC"):
        return _date_range(self, field_name, kind, datetimes=False)

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        return _date_range(self, field_name, kind, datetimes=True)


def _date_range(queryset, field_name, kind, *, datetimes):
    import datetime

    from django.db.models import Max, Min
    from django.utils import timezone

    if getattr(queryset, "_range_after_filter", False):
        # A searched list: find the matching rows first (their trigram indexes), then their range.
        # Left to itself PostgreSQL reads the date index from one end testing every row against the
        # search, which for a term that matches nothing is a full pass over a million rows (30 s+).
        # OFFSET 0 keeps it from merging the two steps.
        from django.db import connections

        sql, params = queryset.order_by().values_list(field_name).query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            # Django's own SQL for the queryset, its values as parameters.
            cursor.execute(f"SELECT MIN(v), MAX(v) FROM ({sql} OFFSET 0) AS matches(v)", params)  # noqa: S608  # nosec B608
            first, last = cursor.fetchone()
    else:
        bounds = queryset.order_by().aggregate(first=Min(field_name), last=Max(field_name))
        first, last = bounds["first"], bounds["last"]
    if first is None or last is None:
        return []
    if datetimes:
        first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
    points = []
    if kind == "year":
        points = [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
    elif kind == "month":
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            points.append(datetime.date(year, month, 1))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        day = first
        while day <= last:
            points.append(day)
            day += datetime.timedelta(days=1)
    if datetimes:
        tz = timezone.get_current_timezone()
        return [datetime.datetime(p.year, p.month, p.day, tzinfo=tz) for p in points]
    return points


_ranged_classes = {}


def _ranged(queryset, *, searched=False):
    # A class attribute, not an instance one: every clone of the queryset keeps its class.
    cls = queryset.__class__
    key = (cls, searched)
    if key not in _ranged_classes:
        _ranged_classes[key] = type(f"Ranged{cls.__name__}", (_RangeDates, cls), {"_range_after_filter": searched})
    queryset.__class__ = _ranged_classes[key]
    return queryset


class ScaleAdminMixin:
    """For changelists of tables that grow to millions of rows: no COUNT(*) and no DISTINCT per page.

    Put it first in the bases: `class CommentAdmin(ScaleAdminMixin, admin.ModelAdmin)`.
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        searched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            searched = matches_first(queryset, searched)
        return searched, may_have_duplicates

    def get_changelist(self, request, **kwargs):
        base = super().get_changelist(request, **kwargs)

        class ScaleChangeList(base):
            def get_queryset(self, request, exclude_parameters=None):
                return _ranged(super().get_queryset(request, exclude_parameters), searched=bool(self.query))

        return ScaleChangeList


def recent_related_filter(field_name: str, *, recent_by: str = "-pk", limit: int = 15):
    """A sidebar filter by a related object that lists the most recently used ones, not all of them.

    Django's RelatedOnlyFieldListFilter loads every related object that has a row:
    for comments that is every article ever commented on (tens of thousands of
    links, and a DISTINCT over a million comments). This lists the `limit`
    objects of the newest rows, plus the one chosen; any other is reachable with
    the same URL parameter Django uses (`<field>__id__exact=<pk>`), e.g. from a
    link on the article's own admin page.
    """
    from django.contrib import admin

    class RecentRelatedFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}__id__exact"

        def __init__(self, request, params, model, model_admin):
            self.title = model._meta.get_field(field_name).verbose_name
            self.related_model = model._meta.get_field(field_name).related_model
            super().__init__(request, params, model, model_admin)

        def lookups(self, request, model_admin):
            recent = model_admin.model._default_manager.order_by(recent_by).values_list(f"{field_name}_id", flat=True)
            ids = list(dict.fromkeys(pk for pk in recent[: limit * 20] if pk is not None))[:limit]
            chosen = self.value()
            if chosen and chosen.isdigit() and int(chosen) not in ids:
                ids.insert(0, int(chosen))
            objects = self.related_model._default_manager.in_bulk(ids)
            return [(str(pk), str(objects[pk])[:80]) for pk in ids if pk in objects]

        def queryset(self, request, queryset):
            value = self.value()
            if value and value.isdigit():
                return queryset.filter(**{f"{field_name}_id": int(value)})
            return queryset

    return RecentRelatedFilter


def matches_first(queryset, searched):
    """`queryset` restricted to the rows of `searched`, found before they are ordered.

    A searched changelist is `ORDER BY created_at DESC LIMIT 100` over a search condition. The
    planner expects a few matches and walks the date index testing every row, which for a term
    matching nothing is a pass over a million rows, each through `reex_unaccent()` (40 s for the
    subscriber list). Listing the matching ids first (OFFSET 0 keeps PostgreSQL from merging the
    two steps) lets the trigram indexes find them; only they are then sorted.
    """
    from django.db.models.expressions import RawSQL

    sql, params = searched.order_by().values("pk").query.sql_with_params()
    return queryset.filter(pk__in=RawSQL(f"{sql} OFFSET 0", params))  # noqa: S611  # nosec B611 -- Django's own SQL
