"""Sources: the bibliography editors cite from, with "Fill from DOI" and the articles citing each."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from articles.admin.status import status_badge
from articles.citations import source_apa_html
from articles.doi_lookup import DoiLookupError, doi_lookup
from articles.forms import SourceAdminForm
from articles.models import (
    Article,
    Citation,
    Source,
)


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
