from django.contrib import admin, messages
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, smart_split, unescape_string_literal

from comments import services, tasks
from comments.errors import CommentError
from comments.forms import StaffReplyForm
from comments.models import Comment, CommenterTrust, ModerationSettings, ModerationWord
from reex.admin_paginator import ScaleAdminMixin, matches_first, recent_related_filter

_STATUS_COLOURS = {
    Comment.Status.PENDING: "#a36a00",
    Comment.Status.APPROVED: "#1e7b46",
    Comment.Status.SPAM: "#b02a37",
    Comment.Status.REMOVED: "#4f5b66",
}


@admin.register(Comment)
class CommentAdmin(ScaleAdminMixin, admin.ModelAdmin):
    """The moderation queue: pending comments first, newest first within each status."""

    list_display = (
        "status_badge",
        "name",
        "excerpt",
        "article_title",
        "received",
        "moderated",
        "reports",
        "reply_link",
    )
    list_display_links = ("name",)
    list_filter = ("status", recent_related_filter("article"), "is_staff_reply", "created_at")
    # Accent- and case-insensitive, served by trigram indexes (reex/unaccent.py). The article's title
    # is searched too, in get_search_results.
    search_fields = ("name__unaccent_icontains", "email__unaccent_icontains", "body__unaccent_icontains")
    # The newest articles whose title matches a search term; their comments are listed.
    search_title_articles_max = 1000
    list_select_related = ("article", "moderated_by")
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        """Each word in the name, email, body or the article's title (accents and case ignored).

        The matching articles are looked up first (trigram index on titles) and OR'ed in as
        article ids: `article__title` in the OR would be a JOIN, and PostgreSQL then reads every
        comment (16-24 s at a million comments) instead of combining three index scans.
        """
        from articles.models import Article

        unsearched = queryset
        for term in smart_split(search_term):
            if term[:1] in ('"', "'") and term[-1:] == term[:1] and len(term) > 1:
                term = unescape_string_literal(term)
            if not term:
                continue
            matches = Q()
            for field in self.search_fields:
                matches |= Q(**{field: term})
            articles = (
                Article.objects.filter(title__unaccent_icontains=term)
                .order_by("-id")
                .values_list("pk", flat=True)[: self.search_title_articles_max]
            )
            queryset = queryset.filter(matches | Q(article_id__in=list(articles)))
        if queryset is unsearched:
            return queryset, False
        return matches_first(unsearched, queryset), False

    actions = ("approve_selected", "mark_spam_selected", "remove_selected")
    fields = (
        "status",
        "article",
        "parent",
        "name",
        "email",
        "url",
        "body",
        "notify_replies",
        "is_staff_reply",
        "created_at",
        "moderation_reason",
        "akismet",
        "moderated_by",
        "moderated_at",
        "ip_address",
        "user_agent",
    )
    readonly_fields = (
        "article",
        "parent",
        "is_staff_reply",
        "created_at",
        "moderation_reason",
        "akismet",
        "moderated_by",
        "moderated_at",
        "ip_address",
        "user_agent",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_count=Count("reports"))

    @admin.display(description="Reports", ordering="report_count")
    def reports(self, obj):
        return obj.report_count or ""

    def get_ordering(self, request):
        if request.GET.get("status__exact"):
            # One status: newest first, straight from comment_queue_idx (status, -created_at);
            # the pending-first CASE below would sort every row of that status.
            return ["-created_at", "-id"]
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [pending_first.asc(), "-created_at", "-id"]

    def has_add_permission(self, request):
        return False  # comments come from readers, or as staff replies (the "Reply" link)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span style="color:#fff;background:{};padding:2px 8px;border-radius:10px;font-size:11px;'
            'white-space:nowrap">{}</span>',
            _STATUS_COLOURS.get(obj.status, "#4f5b66"),
            obj.get_status_display(),
        )

    @admin.display(description="Comment")
    def excerpt(self, obj):
        return format_html(
            '<div style="min-width:16em;max-width:36em">{}<br><small style="color:var(--body-quiet-color)">{}</small></div>',
            Truncator(obj.body).chars(200),
            obj.moderation_reason,
        )

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, obj):
        return Truncator(obj.article.title).chars(50)

    @admin.display(description="Received", ordering="created_at")
    def received(self, obj):
        return timezone.localtime(obj.created_at).strftime("%d %b %Y %H:%M")

    @admin.display(description="Moderated")
    def moderated(self, obj):
        if obj.is_staff_reply:
            return "Staff reply"
        if not obj.moderated_at:
            return "—"
        return f"{obj.moderated_by or 'someone'}, {timezone.localtime(obj.moderated_at):%d %b %H:%M}"

    @admin.display(description="")
    def reply_link(self, obj):
        if obj.status != Comment.Status.APPROVED:
            return ""
        return format_html('<a href="{}">Reply</a>', reverse("admin:comments_comment_reply", args=[obj.pk]))

    def _bulk(self, request, queryset, service, verb):
        count = 0
        for comment in queryset:
            before_status, before_akismet = comment.status, comment.akismet
            try:
                service(comment=comment, by=request.user)
            except CommentError as exc:  # a refusal is shown, and the other comments still go through
                self.message_user(request, f"{comment.name}: {exc.message}", messages.ERROR)
                continue
            tasks.comment_moderated_enqueue(comment, before_status=before_status, before_akismet=before_akismet)
            count += 1
        self.message_user(request, f"{count} comment{'s' if count != 1 else ''} {verb}.", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, services.comment_approve, "approved")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam_selected(self, request, queryset):
        self._bulk(request, queryset, services.comment_mark_spam, "marked as spam")

    @admin.action(description="Remove selected comments (hidden, kept)", permissions=["change"])
    def remove_selected(self, request, queryset):
        self._bulk(request, queryset, services.comment_remove, "removed")

    def save_model(self, request, obj, form, change):
        # A status change goes through its service, so who and when are recorded.
        if change and "status" in form.changed_data:
            new_status = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            services.MODERATE_TO[new_status](comment=obj, by=request.user)
            tasks.comment_moderated_enqueue(obj, before_status=form.initial["status"], before_akismet=obj.akismet)
        else:
            super().save_model(request, obj, form, change)

    def get_urls(self):
        reply = self.admin_site.admin_view(self.reply_view)
        return [path("<int:pk>/reply/", reply, name="comments_comment_reply"), *super().get_urls()]

    def reply_view(self, request, pk):
        parent = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        if not self.has_change_permission(request, parent):
            return redirect("admin:index")
        form = StaffReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reply = services.comment_reply_as_staff(parent=parent, by=request.user, body=form.cleaned_data["body"])
            except CommentError as exc:
                form.add_error("body", exc.message)
            else:
                tasks.reply_notice_enqueue(reply)
                self.message_user(request, f"Your reply to {parent.name} is published.", messages.SUCCESS)
                return redirect("admin:comments_comment_change", reply.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reply to {parent.name}",
            "opts": self.opts,
            "parent": parent,
            "form": form,
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)


@admin.register(ModerationWord)
class ModerationWordAdmin(admin.ModelAdmin):
    list_display = ("word", "kind", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("word", "note")


@admin.register(CommenterTrust)
class CommenterTrustAdmin(admin.ModelAdmin):
    """Commenters who confirmed their email by link; their comments from a proven browser appear at once."""

    list_display = ("email", "name", "confirmed_at", "withdrawn_at", "confirmation_sent_at")
    list_filter = ("withdrawn_at",)
    search_fields = ("email", "name")
    readonly_fields = ("email", "confirmed_at", "confirmation_sent_at")
    fields = ("email", "name", "confirmed_at", "withdrawn_at", "confirmation_sent_at")

    def has_add_permission(self, request):
        return False  # only the commenter's own link creates trust


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    """One row: the settings editors tune without a deploy."""

    list_display = ("__str__", "report_threshold")

    def has_add_permission(self, request):
        return not ModerationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
