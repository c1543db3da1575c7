"""The article changelist's filters: status (with "scheduled"), author and tag."""

from django.contrib import admin
from django.db import models

from articles.admin.status import SCHEDULED, S
from articles.models import (
    ArticleAuthor,
    Author,
)


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
