"""Previews of articles that readers cannot see yet.

Staff open /preview/<pk>/ (writers only their own articles). An editor can hand an outside reviewer,
who has no account, a share link /preview/s/<token>/ (articles.sharing): one row per link, listed on
the article's admin page, pinned to a revision or following the latest text, expiring, and revocable
at once. Every preview is sent with never-cache headers and noindex, so no cache or search engine
keeps an unpublished text.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from articles import sharing
from articles.markdown import render_markdown
from articles.models import Article
from articles.services import can_edit_any


def _private(response):
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render_preview(request, article, *, note=""):
    from articles.views import render_article

    return _private(render_article(request, article, preview=True, preview_note=note))


def may_preview(user, article) -> bool:
    return user.is_active and user.is_staff and (can_edit_any(user) or article.created_by_id == user.pk)


@require_safe
@staff_member_required
def staff_preview(request, pk):
    article = get_object_or_404(Article, pk=pk)
    if not may_preview(request.user, article):
        raise Http404("No article you may preview")
    return _render_preview(request, article)


def _refusal(request, template, status):
    return _private(render(request, f"admin/articles/{template}.html", status=status))


@require_safe
def shared_preview(request, token):
    link = sharing.share_link_for_token(token)
    if link is None:
        if sharing.is_retired_signed_link(token):
            return _refusal(request, "preview_link_retired", 410)
        return _refusal(request, "preview_link_invalid", 404)
    if link.revoked_at is not None:
        return _refusal(request, "preview_link_revoked", 404)
    if link.expires_at <= timezone.now():
        return _refusal(request, "preview_link_expired", 410)
    note = sharing.share_link_note(link)
    if link.is_pinned:
        return _render_preview(request, sharing.pinned_article(link), note=note)
    if link.article.is_live:
        # Once it is out, the reviewer of the latest text should read (and share) the real page.
        return _private(redirect(link.article.get_absolute_url()))
    return _render_preview(request, link.article, note=note)


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
