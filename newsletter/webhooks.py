"""Bounces and complaints reported by the email provider (django-anymail tracking webhooks).

Any provider anymail supports posts to /newsletter/anymail/<provider>/tracking/
with the ANYMAIL_WEBHOOK_SECRET basic-auth credentials; anymail normalises the
payload and sends the `tracking` signal, which lands here.
"""

import logging

from anymail.signals import EventType

from newsletter import services
from newsletter.models import Subscriber

logger = logging.getLogger(__name__)

_SUPPRESS = {
    EventType.BOUNCED: Subscriber.Status.BOUNCED,
    EventType.REJECTED: Subscriber.Status.BOUNCED,
    EventType.COMPLAINED: Subscriber.Status.COMPLAINED,
}


def suppress_on_tracking_event(sender, event, esp_name, **kwargs):
    status = _SUPPRESS.get(event.event_type)
    if event.event_type == EventType.UNSUBSCRIBED and event.recipient:
        for subscriber in Subscriber.objects.by_email(event.recipient):
            services.subscriber_unsubscribe(subscriber=subscriber, by=f"{esp_name} webhook")
        return
    if status is None or not event.recipient:
        return
    reason = f"{esp_name} {event.event_type}: {event.description or event.reject_reason or ''}".strip()
    services.subscriber_suppress(email=event.recipient, status=status, reason=reason)
