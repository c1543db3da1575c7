"""Writes of the api app: creating and revoking Content API keys."""

import secrets

from django.db import transaction
from django.utils import timezone

from api.models import ApiKey, key_digest


@transaction.atomic
def api_key_create(*, name: str, rate_limit: int | None = None, by=None) -> tuple[ApiKey, str]:
    """A new key and its secret value, which is returned once and never stored (only its digest is)."""
    value = secrets.token_urlsafe(32)
    api_key = ApiKey(name=name, prefix=value[:8], digest=key_digest(value), created_by=by)
    if rate_limit is not None:
        api_key.rate_limit = rate_limit
    api_key.save()
    return api_key, value


def api_key_revoke(*, api_key: ApiKey, by=None) -> bool:
    """Refuse the key from now on. Idempotent: revoking a revoked key changes nothing (returns False)."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return bool(updated)
