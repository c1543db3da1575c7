"""Building the newsletter's emails: confirmation, welcome and the daily digest.

Every email links to the subscriber's management page; digests also carry the
RFC 8058 one-click unsubscribe headers. Each has a text and an HTML part
rendered from templates/newsletter/email/.
"""

from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from newsletter import tokens
from newsletter.models import Digest, Subscriber


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def unsubscribe_mailto() -> str:
    return settings.NEWSLETTER_UNSUBSCRIBE_MAILTO or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _recipient(subscriber: Subscriber) -> str:
    if subscriber.name:
        return str(Address(display_name=subscriber.name, addr_spec=subscriber.email))
    return subscriber.email


def subscriber_links(subscriber: Subscriber) -> dict[str, str]:
    token = tokens.manage_token(subscriber)
    return {
        "manage_url": absolute(reverse("newsletter:manage", kwargs={"token": token})),
        "unsubscribe_url": absolute(reverse("newsletter:unsubscribe", kwargs={"token": token})),
    }


def _build(
    *, template: str, subject: str, subscriber: Subscriber, context: dict, headers=None
) -> EmailMultiAlternatives:
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_URL": settings.SITE_URL,
        "subscriber": subscriber,
        "subject": subject,
        **subscriber_links(subscriber),
        **context,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletter/email/{template}.txt", context),
        to=[_recipient(subscriber)],
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"newsletter/email/{template}.html", context), "text/html")
    return message


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    url = absolute(reverse("newsletter:confirm", kwargs={"token": tokens.confirm_token(subscriber)}))
    return _build(
        template="confirmation",
        subject=f"Please confirm your subscription to {settings.SITE_NAME}",
        subscriber=subscriber,
        context={"confirm_url": url, "expiry_hours": settings.NEWSLETTER_CONFIRMATION_MAX_AGE_HOURS},
    )


def welcome_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    return _build(
        template="welcome",
        subject=f"Welcome to the {settings.SITE_NAME} daily digest",
        subscriber=subscriber,
        context={"archive_url": absolute(reverse("newsletter:archive"))},
    )


def digest_context(digest: Digest) -> dict:
    """What every copy of a digest shares; computed once per batch, not once per subscriber."""
    articles = digest.ordered_articles()
    return {
        "digest": digest,
        "articles": [
            {"article": article, "url": absolute(article.get_absolute_url()), "section": article.section}
            for article in articles
        ],
        "web_url": absolute(digest.get_absolute_url()),
    }


def digest_message(
    digest: Digest, subscriber: Subscriber, *, shared: dict, message_id: str = ""
) -> EmailMultiAlternatives:
    links = subscriber_links(subscriber)
    headers = {
        # RFC 2369 + RFC 8058: mail clients show an "Unsubscribe" button that POSTs to the HTTPS URL.
        "List-Unsubscribe": f"<{links['unsubscribe_url']}>, <mailto:{unsubscribe_mailto()}?subject=unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} daily digest <daily.{mail_domain()}>",
        "List-Archive": f"<{absolute(reverse('newsletter:archive'))}>",
    }
    if message_id:
        headers["Message-ID"] = message_id
    return _build(template="digest", subject=digest.subject, subscriber=subscriber, context=shared, headers=headers)


def delivery_message_id(*, digest_id: int, subscriber_id: int) -> str:
    """Stable per (digest, subscriber): a resend after a crash carries the same id, so mail systems can dedupe it."""
    return f"<digest-{digest_id}-{subscriber_id}@{mail_domain()}>"
