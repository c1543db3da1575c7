"""The article's history, revision comparison and restore pages, mixed into ArticleAdmin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from reversion.models import Version

from articles.revisions import article_snapshot, diff_table, revision_label, revision_snapshot, snapshot_lines
from articles.services import (
    WorkflowError,
    article_restore_revision,
    can_edit_any,
)


class ArticleHistoryAdminMixin:
    """History, compare and restore views; needs ArticleAdmin's _article_or_404 and _context."""

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_or_404(request, object_id)
        versions = list(
            Version.objects.get_for_object(article).select_related("revision__user").order_by("-revision__date_created")
        )
        context = self._context(
            request,
            article,
            title=f"History: {article.title}",
            versions=versions,
            can_restore=can_edit_any(request.user),
            transitions=article.transitions.select_related("by").order_by("-at", "-id"),
            object_id=article.pk,
        )
        return TemplateResponse(request, self.object_history_template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # django-reversion's own revert form would also revert the workflow state; ours keeps it.
        return HttpResponseRedirect(reverse("admin:articles_article_restore", args=[object_id, version_id]))

    def _version(self, article, version_id):
        return get_object_or_404(Version.objects.get_for_object(article).select_related("revision"), pk=version_id)

    def compare_view(self, request, pk):
        article = self._article_or_404(request, pk)
        if not can_edit_any(request.user):
            raise PermissionDenied
        try:
            old = self._version(article, int(request.GET.get("from", "")))
            new = self._version(article, int(request.GET.get("to", "")))
        except ValueError as exc:
            raise Http404("Choose two revisions to compare") from exc
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        diff = diff_table(
            snapshot_lines(revision_snapshot(old.revision, article.pk)),
            snapshot_lines(revision_snapshot(new.revision, article.pk)),
            revision_label(old),
            revision_label(new),
        )
        context = self._context(request, article, title=f"Compare revisions: {article.title}", diff=diff)
        return TemplateResponse(request, "admin/articles/article/revision_compare.html", context)

    def restore_view(self, request, pk, version_id):
        article = self._article_or_404(request, pk)
        if not can_edit_any(request.user):
            raise PermissionDenied
        version = self._version(article, version_id)
        if request.method == "POST":
            try:
                article_restore_revision(article=article, version=version, by=request.user)
            except WorkflowError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Restored the version of {revision_label(version)}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        diff = diff_table(
            snapshot_lines(article_snapshot(article)),
            snapshot_lines(revision_snapshot(version.revision, article.pk)),
            "Now",
            revision_label(version),
        )
        context = self._context(
            request,
            article,
            title=f"Restore a revision: {article.title}",
            version=version,
            version_label=revision_label(version),
            diff=diff,
        )
        return TemplateResponse(request, "admin/articles/article/revision_restore.html", context)
