"""The newsroom: articles, their brief parts, sources, sections and authors in the Django admin.

Roles (groups made by migration 0002): Writers see and edit only their own drafts and submit them;
Editors edit everything, publish, schedule and unpublish. The same rules (articles.services.can_*)
decide querysets, permissions, read-only fields, buttons and actions, and the services check them again.

Longer than one screenful (~700 lines, one ModelAdmin per model) on purpose for one round: several
parallel changes edit it, so it becomes a package split by model (articles/admin/) once they have merged.
"""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.utils import pretty_name
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles.citations import source_apa_html
from articles.desk_admin import DeskAdminMixin, FocalPointField, hero_focal_picker_html, hero_thumbnail_html
from articles.doi_lookup import DoiLookupError, doi_lookup
from articles.forms import ArticleAdminForm, AuthorAdminForm, PublishForm, SourceAdminForm, WorkflowForm
from articles.models import (
    BRIEF_PARTS,
    Article,
    ArticleAuthor,
    Author,
    Citation,
    Section,
    Source,
    Transition,
)
from articles.revisions import article_snapshot, diff_table, revision_label, revision_snapshot, snapshot_lines
from articles.services import (
    WorkflowError,
    article_moves_available,
    article_publish,
    article_refresh,
    article_restore_revision,
    article_return_to_draft,
    article_submit,
    article_unpublish,
    can_edit,
    can_edit_any,
    can_publish,
)
from articles.sharing_admin import ShareLinksAdminMixin
from reex.admin_paginator import ScaleAdminMixin

S = Article.Status
# Not a stored status: a published article whose publication time is still to come.
SCHEDULED = "scheduled"

BADGE_COLOURS = {
    "draft": ("#f1f3f5", "#495057"),
    "review": ("#fff3bf", "#7c5e00"),
    "scheduled": ("#d0ebff", "#1c5d99"),
    "published": ("#d3f9d8", "#1b6e2a"),
    "unpublished": ("#ffe3e3", "#a61e1e"),
}


def status_key(article) -> str:
    return SCHEDULED if article.is_scheduled else article.status


def status_badge(article):
    background, colour = BADGE_COLOURS[status_key(article)]
    return format_html(
        '<span class="reex-status reex-status--{}" style="display:inline-block;padding:2px 8px;border-radius:10px;'
        'font-size:11px;font-weight:600;white-space:nowrap;background:{};color:{}">{}</span>',
        status_key(article),
        background,
        colour,
        article.display_status,
    )


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


# --- Inlines, in the order the brief is read -----------------------------------------------------


class ArticlePartMixin:
    """An inline part of the brief: editable only while the article is editable by this user."""

    extra = 0
    classes = ["reex-brief-part"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.name == "position":
            field.label = "Order"
            field.help_text = ""
            field.widget.attrs["style"] = "width: 4em"
        elif isinstance(db_field, models.TextField):
            rows = 6 if db_field.name in ("explanation", "body") else 3
            field.widget.attrs.update({"rows": rows, "style": "width: min(100%, 44em)"})
        elif isinstance(db_field, models.CharField) and not db_field.choices:
            field.widget.attrs["style"] = "width: min(100%, 40em)"
        return field

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or can_edit(request.user, obj))


def _inline(part):
    """The admin inline of one declared brief part (articles.models.BRIEF_PARTS)."""
    base = admin.StackedInline if part.stacked else admin.TabularInline
    attrs = {
        "model": part.model,
        "verbose_name": part.label.lower(),
        "verbose_name_plural": part.admin_title,
        "fields": list(part.admin_fields),
        "autocomplete_fields": list(part.autocomplete_fields),
        "extra": part.admin_extra,
        "__module__": __name__,
    }
    return type(f"{part.model.__name__}Inline", (ArticlePartMixin, base), attrs)


# In the order the brief is read, generated from the one declaration of the parts.
BRIEF_PART_INLINES = [_inline(part) for part in BRIEF_PARTS]


# --- Changelist filters -------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """The model's statuses, with "scheduled" (published, with a time still to come) told apart from live."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        lookups = []
        for value, label in S.choices:
            if value == S.PUBLISHED:
                lookups.append((SCHEDULED, "Scheduled"))
            lookups.append((value, label))
        return lookups

    def queryset(self, request, queryset):
        value = self.value()
        if value == SCHEDULED:
            return queryset.scheduled()
        if value == S.PUBLISHED:
            return queryset.published()
        if value in S.values:
            return queryset.filter(status=value)
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        # EXISTS, not JOIN + DISTINCT: one index probe per author instead of reading every byline.
        has_bylines = models.Exists(ArticleAuthor.objects.filter(author=models.OuterRef("pk")))
        return list(Author.objects.filter(has_bylines).values_list("pk", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(bylines__author_id=self.value()) if self.value() else queryset


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        from taggit.models import Tag, TaggedItem

        # EXISTS, not JOIN + DISTINCT: one index probe per tag instead of reading every tagging.
        tagged = TaggedItem.objects.filter(tag=models.OuterRef("pk"), content_type__model="article")
        used = Tag.objects.filter(models.Exists(tagged))
        return list(used.order_by("name").values_list("slug", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(tags__slug=self.value()) if self.value() else queryset


# --- Articles -----------------------------------------------------------------------------------


@admin.register(Article)
class ArticleAdmin(DeskAdminMixin, ShareLinksAdminMixin, ScaleAdminMixin, VersionAdmin):
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


# --- Sources, sections, authors ---------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    list_display = ["__str__", "kind", "container", "year", "evidence", "doi", "citing_count"]
    list_filter = ["kind", "evidence", "year"]
    search_fields = [
        "title__unaccent_icontains",
        "authors__unaccent_icontains",
        "doi__unaccent_icontains",
        "container__unaccent_icontains",
        "publisher__unaccent_icontains",
        "institution__unaccent_icontains",
    ]
    readonly_fields = ["apa_preview", "cited_by"]
    fieldsets = [
        (None, {"fields": ["paste"]}),
        (
            "Record",
            {
                "fields": [
                    "doi",
                    "kind",
                    "authors",
                    "year",
                    "title",
                    "container",
                    "publisher",
                    "institution",
                    ("volume", "issue", "pages"),
                    "url",
                    "evidence",
                    "citation_key",
                ]
            },
        ),
        ("As readers see it", {"fields": ["apa_preview", "cited_by"]}),
    ]

    def get_queryset(self, request):
        # A correlated count, not JOIN + GROUP BY: only the rows of the page are counted, instead of
        # every citation of every source before the page is cut (seconds at 50k sources).
        citing = (
            Citation.objects.filter(source=OuterRef("pk"))
            .order_by()
            .values("source")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(citing=Coalesce(Subquery(citing[:1]), Value(0)))
            .order_by("-year", "title")
        )

    class Media:
        js = ["js/admin_source_doi.js"]

    def get_urls(self):
        lookup = path(
            "lookup-doi/", self.admin_site.admin_view(self.lookup_doi_view), name="articles_source_lookup_doi"
        )
        return [lookup, *super().get_urls()]

    def lookup_doi_view(self, request):
        """JSON for "Fill from DOI": the fields from Crossref or DataCite, or a message. Saves nothing."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        try:
            service, fields = doi_lookup(doi=request.GET.get("doi", ""))
        except DoiLookupError as exc:
            return JsonResponse({"error": str(exc)}, status=422)
        editing = request.GET.get("pk", "")
        existing = Source.objects.filter(doi=fields["doi"]).exclude(pk=int(editing) if editing.isdigit() else None)
        existing = existing.first()
        message = f"Filled from {service}. Check every field before you save."
        if existing:
            message += f" Note: this DOI is already recorded as “{existing}”; saving a second copy will be refused."
        return JsonResponse({"fields": fields, "message": message, "service": service})

    @admin.display(description="cited by", ordering="citing")
    def citing_count(self, obj):
        return obj.citing

    @admin.display(description="citation (APA)")
    def apa_preview(self, obj):
        return source_apa_html(obj) if obj.pk else "—"

    @admin.display(description="articles citing it")
    def cited_by(self, obj):
        if not obj.pk:
            return "—"
        articles = Article.objects.filter(citations__source=obj).order_by("-published_at", "-id")
        if not articles:
            return "No article cites this source yet."
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> {}</li>',
                ((reverse("admin:articles_article_change", args=[a.pk]), a.title, status_badge(a)) for a in articles),
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "pasted", False):
            self.message_user(request, "The record was filled from the pasted entry; please check it.")


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "article_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles")).order_by("order", "name")

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "user", "article_count"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name__unaccent_icontains"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("bylines")).order_by("name")

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    """The workflow log, read-only: moves are made only by the services."""

    list_display = ["at", "article", "from_status", "to_status", "by", "note"]
    list_select_related = ["article", "by"]
    list_filter = ["to_status"]
    search_fields = ["article__title", "note"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # Writers see the moves of their own articles only, as they see only those articles.
        return queryset if can_edit_any(request.user) else queryset.filter(article__created_by=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
