"""Previews of articles that readers cannot see yet.

Staff open /preview/<pk>/ (writers only their own articles). An editor can hand an outside reviewer,
who has no account, a signed link /preview/s/<token>/: the token is the article id signed with the
SECRET_KEY and a timestamp, so it needs no table, cannot be forged or pointed at another article, and
stops working after PREVIEW_LINK_MAX_AGE (7 days by default). Every preview is sent with never-cache
headers and noindex, so no cache or search engine keeps an unpublished text.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from articles.markdown import render_markdown
from articles.models import Article
from articles.services import can_edit_any

SHARE_SALT = "articles.preview.share"
DEFAULT_MAX_AGE = timedelta(days=7)


def share_max_age() -> timedelta:
    return getattr(settings, "PREVIEW_LINK_MAX_AGE", DEFAULT_MAX_AGE)


def make_share_token(article) -> str:
    return signing.TimestampSigner(salt=SHARE_SALT).sign(str(article.pk))


def share_link(request, article) -> tuple[str, object]:
    """(absolute URL, expiry time) of a new share link for `article`."""
    url = request.build_absolute_uri(reverse("articles:preview_shared", kwargs={"token": make_share_token(article)}))
    return url, timezone.now() + share_max_age()


def _private(response):
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render_preview(request, article):
    from articles.views import render_article

    return _private(render_article(request, article, preview=True))


def may_preview(user, article) -> bool:
    return user.is_active and user.is_staff and (can_edit_any(user) or article.created_by_id == user.pk)


@require_safe
@staff_member_required
def staff_preview(request, pk):
    article = get_object_or_404(Article, pk=pk)
    if not may_preview(request.user, article):
        raise Http404("No article you may preview")
    return _render_preview(request, article)


@require_safe
def shared_preview(request, token):
    try:
        pk = signing.TimestampSigner(salt=SHARE_SALT).unsign(token, max_age=share_max_age())
    except signing.SignatureExpired:
        return _private(render(request, "admin/articles/preview_link_expired.html", status=410))
    except signing.BadSignature:
        return _private(render(request, "admin/articles/preview_link_invalid.html", status=404))
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        return _private(render(request, "admin/articles/preview_link_invalid.html", status=404))
    if article.is_live:
        # Once it is out, the reviewer should read (and share) the real page.
        return _private(redirect(article.get_absolute_url()))
    return _render_preview(request, article)


# Longer than any brief field; a bigger body is not a preview request.
MARKDOWN_PREVIEW_MAX_CHARS = 100_000


@staff_member_required
@require_POST
def markdown_preview(request):
    """The admin's live preview of a Markdown field: the text rendered by the same code as on save
    (articles.markdown.render_markdown, sanitised), as JSON. Staff only; nothing is stored."""
    text = request.POST.get("text", "")
    if len(text) > MARKDOWN_PREVIEW_MAX_CHARS:
        return JsonResponse({"error": "Too long to preview."}, status=413)
    response = JsonResponse({"html": render_markdown(text)})
    add_never_cache_headers(response)
    return response
