"""The workflow log, read-only."""

from django.contrib import admin

from articles.models import (
    Transition,
)
from articles.services import (
    can_edit_any,
)


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
