"""The newsroom dashboard: what the admin index shows a writer and an editor.

Reads only. Each panel is one aggregate or one short, indexed list, so the page costs the same at the
demo's size and at 100k articles and 1M comments (bench/: `dashboard` in docs/benchmarks.md). Comments
and the newsletter are read through their own models and QuerySets; nothing here writes to them.
"""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from articles.models import Article, Correction, Transition
from reex.admin_paginator import EstimatedCountPaginator

S = Article.Status
LIST_LIMIT = 10
CHART_WEEKS = 12
CHART_DAYS = 30


def about_how_many(queryset) -> int:
    """Exact under 10,000; above, the planner's estimate (reex.admin_paginator), as the changelists count."""
    return EstimatedCountPaginator(queryset, per_page=1).count


def _start_of_today(now):
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


def _last_move(field):
    return Subquery(Transition.objects.filter(article=OuterRef("pk")).order_by("-at", "-id").values(field)[:1])


def _panel(queryset, limit=LIST_LIMIT) -> dict:
    """A count and the first rows of a list: two small queries, the same two whatever the size."""
    return {"count": queryset.count(), "rows": list(queryset[:limit])}


def writer_panels(user) -> dict:
    """My drafts, my drafts returned with comments by an editor, and my articles in review."""
    mine = Article.objects.filter(created_by=user).only("id", "title", "status", "updated_at", "published_at")
    drafts = mine.filter(status=S.DRAFT).annotate(
        last_from=_last_move("from_status"),
        last_note=_last_move("note"),
        last_by=_last_move("by__username"),
        returned_at=_last_move("at"),
    )
    returned = drafts.filter(last_from=S.REVIEW).order_by("-returned_at", "-id")
    return {
        "drafts": _panel(drafts.exclude(last_from=S.REVIEW, last_from__isnull=False).order_by("-updated_at", "-id")),
        "returned": _panel(returned),
        "in_review": _panel(
            mine.filter(status=S.REVIEW).annotate(submitted_at=_last_move("at")).order_by("submitted_at", "id")
        ),
    }


def editor_panels(*, now=None) -> dict:
    """The review queue (oldest first), the next 7 days' schedule, today's output, corrections, comments, digest."""
    from comments.models import Comment, CommentReport
    from newsletter.models import Digest

    now = now or timezone.now()
    today = _start_of_today(now)
    queue = (
        Article.objects.filter(status=S.REVIEW)
        .select_related("created_by")
        .annotate(submitted_at=_last_move("at"))
        .order_by(F("submitted_at").asc(nulls_first=True), "id")
    )
    scheduled = Article.objects.filter(
        status=S.PUBLISHED, published_at__gt=now, published_at__lte=now + timedelta(days=7)
    ).order_by("published_at", "id")
    published_today = Article.objects.published().filter(published_at__gte=today).order_by("-published_at", "-id")
    corrections = (
        Correction.objects.filter(date__gte=timezone.localdate(now) - timedelta(days=6))
        .select_related("article")
        .order_by("-date", "-id")
    )
    # The item count separately: joined with the deliveries, it would multiply their counts.
    digest = Digest.objects.archived().with_delivery_stats().order_by("-sent_at", "-id").first()
    if digest is not None:
        digest.n_items = digest.items.count()
    return {
        "queue": _panel(queue),
        "scheduled": _panel(scheduled),
        "published_today": _panel(published_today),
        "corrections": _panel(corrections),
        "comments_pending": about_how_many(Comment.objects.filter(status=Comment.Status.PENDING)),
        # Approved comments readers reported (comments.services sends one back to the queue past the
        # editors' threshold); reports are few, so an exact count of distinct comments is cheap.
        "comments_reported": CommentReport.objects.filter(comment__status=Comment.Status.APPROVED)
        .values("comment")
        .distinct()
        .count(),
        "last_digest": digest,
    }


def chart_data(*, now=None) -> dict:
    """Series for the charts, as plain lists (json_script puts them in the page; static JS draws them)."""
    from comments.models import Comment
    from newsletter.models import Subscriber

    now = now or timezone.now()
    today = timezone.localdate(now)
    this_week = today - timedelta(days=today.weekday())
    weeks = [this_week - timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
    days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    week_start = timezone.make_aware(datetime.combine(weeks[0], time.min))
    day_start = timezone.make_aware(datetime.combine(days[0], time.min))

    def by(queryset, field, trunc):
        rows = queryset.annotate(bucket=trunc(field)).values("bucket").annotate(n=Count("*")).values_list("bucket", "n")
        return {(b.date() if isinstance(b, datetime) else b): n for b, n in rows}

    briefs = by(Article.objects.published().filter(published_at__gte=week_start), "published_at", TruncWeek)
    # Every status listed: the (status, created_at) index then serves the date range.
    comments = by(
        Comment.objects.filter(status__in=Comment.Status.values, created_at__gte=day_start), "created_at", TruncDate
    )
    # Bucketed by sign-up week on the created_at index (a range of 12 weeks), not by scanning every
    # confirmed row; the running total ends at today's confirmed count (estimated above 10,000).
    confirmed = Subscriber.objects.confirmed()
    joined = by(confirmed.filter(created_at__gte=week_start), "created_at", TruncWeek)
    running = about_how_many(confirmed) - sum(joined.values())
    subscribers = []
    for week in weeks:
        running += joined.get(week, 0)
        subscribers.append(running)
    return {
        "briefs": {"labels": [w.isoformat() for w in weeks], "values": [briefs.get(w, 0) for w in weeks]},
        "comments": {"labels": [d.isoformat() for d in days], "values": [comments.get(d, 0) for d in days]},
        "subscribers": {"labels": [w.isoformat() for w in weeks], "values": subscribers},
    }
