"""ArticleAdmin: the change form, the workflow moves (buttons, confirmation pages, changelist actions).

Roles (groups made by migration 0002): Writers see and edit only their own drafts and submit them;
Editors edit everything, publish, schedule and unpublish. The same rules (articles.services.can_*)
decide querysets, permissions, read-only fields, buttons and actions, and the services check them again.
"""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Prefetch
from django.forms.utils import pretty_name
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from articles.admin.filters import AuthorFilter, StatusFilter, TagFilter
from articles.admin.history import ArticleHistoryAdminMixin
from articles.admin.parts import BRIEF_PART_INLINES
from articles.admin.status import status_badge
from articles.desk_admin import DeskAdminMixin, FocalPointField, hero_focal_picker_html, hero_thumbnail_html
from articles.forms import ArticleAdminForm, PublishForm, WorkflowForm
from articles.models import (
    Article,
    ArticleAuthor,
)
from articles.services import (
    WorkflowError,
    article_moves_available,
    article_publish,
    article_refresh,
    article_return_to_draft,
    article_submit,
    article_unpublish,
    can_edit,
    can_edit_any,
    can_publish,
)
from articles.sharing_admin import ShareLinksAdminMixin
from reex.admin_paginator import ScaleAdminMixin

# The button label and the service of each workflow move; which are offered comes from the services.
MOVES = {
    "submit": ("Submit for review", article_submit),
    "publish": ("Publish or schedule…", article_publish),
    "unpublish": ("Unpublish", article_unpublish),
    "return_to_draft": ("Return to draft", article_return_to_draft),
}


def _model_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return pretty_name(name)


@admin.register(Article)
class ArticleAdmin(ArticleHistoryAdminMixin, DeskAdminMixin, ShareLinksAdminMixin, ScaleAdminMixin, VersionAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"
    inlines = BRIEF_PART_INLINES
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "expected_version"]}),
        ("Filing", {"fields": ["section", "tags", "new_tags", "featured", "allow_comments"]}),
        (
            "Hero image",
            {
                "fields": ["hero_image", "hero_thumbnail", "hero_alt", "hero_caption", "hero_credit"]
                + ["hero_focal_x", "hero_focal_y"],
                "description": "Optional. With an image, alt text and a credit are required before publishing.",
            },
        ),
        (
            "Text of the brief",
            {
                "fields": ["intro", "bottom_line"],
                "description": "Markdown: *italic*, **bold**, [link](https://…), blank line between paragraphs. "
                "Highlights, findings, free sections, signals, limitations and citations follow below.",
            },
        ),
        ("Publication", {"fields": ["published_at", "significant_update_at"], "classes": ["collapse"]}),
    ]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section"]
    list_display = ["hero_column", "title", "status_column", "section", "byline", "published_at"]
    list_display_links = ["title"]
    list_select_related = ["section"]
    list_filter = [StatusFilter, "section", AuthorFilter, TagFilter, "published_at", "featured"]
    # Accent- and case-insensitive, served by trigram indexes (reex/unaccent.py).
    search_fields = ["title__unaccent_icontains", "standfirst__unaccent_icontains", "slug__unaccent_icontains"]
    date_hierarchy = "published_at"
    list_per_page = 50
    actions = ["submit_selected", "publish_selected", "unpublish_selected"]
    save_on_top = True

    # --- querysets and permissions ---

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author").order_by("position"))
            )
        )
        if not can_edit_any(request.user):
            queryset = queryset.filter(created_by=request.user)
        return queryset

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or can_edit_any(request.user) or obj.created_by_id == request.user.pk)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit_any(request.user)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request.user):
            return ["hero_thumbnail"]
        # Writers file and write; when and how prominently it appears is the editors' call.
        return ["hero_thumbnail", "published_at", "featured", "significant_update_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("hero_focal_x", "hero_focal_y"):
            return FocalPointField(label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # nothing to conflict with yet
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "expected_version"]})
                for name, opts in fieldsets
            ]
        return fieldsets

    # --- changelist columns ---

    @admin.display(description="status", ordering="status")
    def status_column(self, obj):
        return status_badge(obj)

    @admin.display(description="hero")
    def hero_column(self, obj):
        return hero_thumbnail_html(obj, width=64, height=36)

    @admin.display(description="image and focal point")
    def hero_thumbnail(self, obj):
        if obj is None or not obj.pk or not obj.hero_image:
            return "Upload an image and save: its thumbnail appears here, to set the focal point."
        return hero_focal_picker_html(obj)

    @admin.display(description="authors")
    def byline(self, obj):
        return ", ".join(b.author.name for b in obj.bylines.all())

    # --- saving ---

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        # Django names a changed field by its form label, and a field declared on the form (hero_image)
        # has none, so history said "Changed hero_image". Give every such field its model's label first.
        for each in [form, *(f for formset in formsets for f in formset.forms)]:
            for name, field in each.fields.items():
                if field.label is None:
                    field.label = capfirst(_model_label(each._meta.model, name))
        return super().construct_change_message(request, form, formsets, add)

    def save_formset(self, request, form, formset, change):
        # New rows without an explicit order go after the existing ones, in the order they were added.
        if "position" in formset.form.base_fields:
            taken = [f.instance.position for f in formset.initial_forms if f.instance.pk]
            next_position = max(taken, default=-1) + 1
            for inline_form in formset.extra_forms:
                if inline_form.has_changed() and "position" not in inline_form.changed_data:
                    inline_form.instance.position = next_position
                    next_position += 1
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article_refresh(article=form.instance)
        self.desk_after_save(request, form.instance, was_new=not change)

    # --- change form ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if article is not None:
            extra_context.update(self._workflow_context(request, article))
            if can_edit(request.user, article):
                extra_context.update(self.desk_context(request, article))
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self.desk_context(request, None)}
        return super().add_view(request, form_url, extra_context)

    def _workflow_context(self, request, article):
        opts = self.model._meta
        return {
            "status_badge": status_badge(article),
            "moves": [
                (MOVES[m][0], reverse(f"admin:{opts.app_label}_{opts.model_name}_workflow", args=[article.pk, m]))
                for m in article_moves_available(article=article, user=request.user)
            ],
            "transitions": article.transitions.select_related("by").order_by("-at", "-id")[:50],
            "preview_url": reverse("articles:preview", args=[article.pk]),
            "share_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_share", args=[article.pk])
            if can_edit_any(request.user)
            else "",
            "live_url": article.get_absolute_url() if article.is_live else "",
            **self.share_links_context(request, article),
        }

    # --- extra views: workflow moves, share links, revisions ---

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/workflow/<str:move>/", wrap(self.workflow_view), name=f"{prefix}_workflow"),
            *self.share_urls(prefix),
            *self.desk_urls(prefix),
            path("<int:pk>/revisions/compare/", wrap(self.compare_view), name=f"{prefix}_compare"),
            path(
                "<int:pk>/revisions/<int:version_id>/restore/",
                wrap(self.restore_view),
                name=f"{prefix}_restore",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, pk):
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _context(self, request, article, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "article": article,
            "status_badge": status_badge(article),
            **extra,
        }

    def workflow_view(self, request, pk, move):
        if move not in MOVES:
            raise Http404("No such workflow move")
        article = self._article_or_404(request, pk)
        # A page this user cannot use now is refused outright, not shown as a form that fails on submit.
        # On POST only the role is checked here: a move that became impossible meanwhile (another editor
        # published first) is refused by the service with its reason, on the form.
        if request.method != "POST" and move not in article_moves_available(article=article, user=request.user):
            raise PermissionDenied
        if move in ("publish", "unpublish") and not can_publish(request.user):
            raise PermissionDenied
        label, service = MOVES[move]
        form_class = PublishForm if move == "publish" else WorkflowForm
        form = form_class(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            kwargs = {"article": article, "by": request.user, "note": form.cleaned_data["note"]}
            if move == "publish":
                kwargs["at"] = form.cleaned_data.get("at")
            try:
                service(**kwargs)
            except WorkflowError as exc:
                error = exc
            else:
                self.message_user(request, self._moved_message(article), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = self._context(
            request,
            article,
            title=f"{label.rstrip('…')}: {article.title}",
            move=move,
            label=label.rstrip("…"),
            form=form,
            error=error,
            media=self.media + form.media,
        )
        return TemplateResponse(request, "admin/articles/article/workflow_confirm.html", context)

    @staticmethod
    def _moved_message(article) -> str:
        if article.is_scheduled:
            when = date_format(timezone.localtime(article.published_at), "j M Y, H:i T")
            return f"“{article.title}” is scheduled for {when}. It will appear on the site by itself then."
        return f"“{article.title}” is now {article.display_status.lower()}."

    # --- changelist actions ---

    def _run_move(self, request, queryset, service, done_label):
        done, refused = 0, []
        for article in queryset:
            try:
                service(article=article, by=request.user)
            except WorkflowError as exc:
                refused.append(str(exc))
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} article{'s' if done != 1 else ''} {done_label}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="Submit selected articles for review", permissions=["change"])
    def submit_selected(self, request, queryset):
        self._run_move(request, queryset, article_submit, "submitted for review")

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._run_move(request, queryset, article_publish, "published")

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._run_move(request, queryset, article_unpublish, "unpublished")
