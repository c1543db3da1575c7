"""Sections and authors."""

from django.contrib import admin
from django.db.models import Count

from articles.forms import AuthorAdminForm
from articles.models import (
    Author,
    Section,
)


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
