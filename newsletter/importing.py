"""Adding subscribers from a CSV list (the admin's import)."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from newsletter.addresses import normalise_email
from newsletter.models import ConsentRecord, Subscriber
from newsletter.subscribers import ConfirmationDue, subscriber_signup


@dataclass
class ImportResult:
    created: int = 0
    existing: int = 0
    confirmations_sent: int = 0
    # For the caller to queue (newsletter/services.py does).
    confirmations: list[ConfirmationDue] = field(default_factory=list)


def subscriber_import(*, rows: list[tuple[str, str]], mode: str, consent_source: str = "", by=None) -> ImportResult:
    """Add addresses from a list. Existing addresses are left exactly as they are.

    mode "send_confirmation": new addresses become pending and get a confirmation email.
    mode "consented": new addresses are confirmed at once, with a consent record naming `consent_source`.
    Never re-subscribes anyone who unsubscribed, bounced or complained.
    """
    result = ImportResult()
    note = f"Import by {by}: {consent_source}".strip() if by else consent_source
    for email, name in rows:
        email = normalise_email(email)
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email, name=name, source=Subscriber.Source.IMPORT, source_page=note[:500]
                )
        except IntegrityError:
            result.existing += 1
            continue
        result.created += 1
        if mode == "consented":
            with transaction.atomic():
                Subscriber.objects.filter(pk=subscriber.pk).update(
                    status=Subscriber.Status.CONFIRMED,
                    confirmed_at=timezone.now(),
                    form_version="import",
                    # Imports get no welcome email; marking it keeps send_pending_email from sending one.
                    welcome_sent_at=timezone.now(),
                )
                ConsentRecord.objects.create(
                    subscriber=subscriber,
                    kind=ConsentRecord.Kind.IMPORTED,
                    form_version="import",
                    consent_text=consent_source,
                    source_page=note[:500],
                )
        elif due := subscriber_signup(
            email=email, name=name, source=Subscriber.Source.IMPORT, source_page=note, form_version="import"
        ):
            result.confirmations_sent += 1
            result.confirmations.append(due)
    return result
