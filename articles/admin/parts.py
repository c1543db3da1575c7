"""The inlines of the brief's parts, generated from their one declaration (articles.models.BRIEF_PARTS)."""

from django.contrib import admin
from django.db import models

from articles.models import (
    BRIEF_PARTS,
)
from articles.services import (
    can_edit,
)


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
