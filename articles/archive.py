"""The archive: the months with briefs, and the briefs of one month."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.pagination import _paginate
from articles.views import _meta


@require_safe
def archive_index(request):
    months = (
        Article.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .order_by()
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )
    return render(
        request,
        "articles/article_archive.html",
        {
            "months": months,
            "meta": _meta(request, title="Archive", description=f"Every brief {settings.SITE_NAME} has published."),
        },
    )


@require_safe
def archive_month(request, year, month):
    try:
        start = timezone.make_aware(datetime(year, month, 1))
        end = timezone.make_aware(datetime(year + (month == 12), month % 12 + 1, 1))
    # A year beyond a C int overflows rather than failing validation; both mean "no such month".
    except (ValueError, OverflowError) as exc:
        raise Http404("No such month") from exc
    page = _paginate(request, Article.objects.published().filter(published_at__gte=start, published_at__lt=end))
    if not page.paginator.count:
        raise Http404("Nothing was published that month")
    label = start.strftime("%B %Y")
    return render(
        request,
        "articles/article_archive_month.html",
        {
            "month": start,
            "page_obj": page,
            "meta": _meta(request, title=f"Archive: {label}", description=f"Briefs published in {label}.", page=page),
        },
    )
