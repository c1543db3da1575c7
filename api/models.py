"""Content API keys: what a partner, app or analyst presents as `?key=...`.

Only a SHA-256 digest of each key is stored; the key itself is shown once, to
the editor who creates it. A revoked key stays as a row (who used what, when)
but is refused.
"""

import hashlib

from django.conf import settings
from django.db import models


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def matching(self, value: str):
        """The active key whose secret is `value` (at most one row; none for an empty value)."""
        return self.active().filter(digest=key_digest(value)) if value else self.none()


class ApiKey(models.Model):
    name = models.CharField(
        max_length=150, help_text="Who uses this key and for what, e.g. “Mining Weekly syndication”."
    )
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The first characters of the key, to recognise it in logs."
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit = models.PositiveIntegerField(
        default=600,
        help_text="Requests this key may make per window (API_RATE_WINDOW_SECONDS, one minute by default). "
        "Past it the API answers 429 until the window ends.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "Content API key"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
