"""Editors create and revoke Content API keys here. A key's secret is shown once, right after creation."""

from django.contrib import admin, messages
from django.utils.html import format_html

from api.models import ApiKey
from api.services import api_key_create, api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "rate_limit", "status", "created_at", "created_by", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("created_by", "revoked_by")
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "created_by", "revoked_at", "revoked_by")
    actions = ["revoke"]

    @admin.display(description="status", ordering="revoked_at")
    def status(self, obj):
        return "Active" if obj.is_active else "Revoked"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created, value = api_key_create(name=obj.name, rate_limit=obj.rate_limit, by=request.user)
        obj.pk, obj.prefix, obj.digest, obj.created_at = created.pk, created.prefix, created.digest, created.created_at
        # The only time the secret exists outside the partner's hands: it is not stored, so it cannot be shown again.
        messages.warning(
            request,
            format_html(
                "The key for “{}” is <code>{}</code>. Copy it now: it is not stored and cannot be shown again.",
                obj.name,
                value,
            ),
        )

    @admin.action(description="Revoke the selected keys (they stop working at once)")
    def revoke(self, request, queryset):
        revoked = sum(api_key_revoke(api_key=key, by=request.user) for key in queryset)
        self.message_user(request, f"{revoked} key(s) revoked.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        # Revoke instead: the row keeps who created and who revoked the key.
        return False
