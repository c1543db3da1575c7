"""Digests: building today's from the newly published articles, and starting (not doing) a send.

The send itself is newsletter/sending.py; queueing its batch tasks is the
caller's (newsletter/services.py).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from newsletter import emails
from newsletter.errors import NewsletterError
from newsletter.models import Delivery, Digest, DigestArticle, Subscriber
from newsletter.sending import digest_finish_if_done
from reex import mail

logger = logging.getLogger(__name__)


def digest_build(*, day=None) -> Digest | None:
    """Today's digest (or `day`'s): the articles published since the previous digest.

    Returns the existing digest if there is one; returns None, and creates
    nothing, when no article has been published since the previous digest.
    Safe to call concurrently: the date is unique.
    """
    day = day or timezone.localdate()
    existing = Digest.objects.filter(date=day).first()
    if existing:
        return existing
    previous = Digest.objects.filter(date__lt=day).order_by("-date").first()
    since = previous.covers_until if previous else timezone.now() - timedelta(days=1)
    articles = list(
        Article.objects.published()
        .filter(published_at__gt=since)
        .select_related("section")
        .order_by("-featured", "-published_at", "-id")
    )
    if not articles:
        return None
    lead = articles[0].title
    subject = f"{settings.SITE_NAME} daily, {day:%-d %b %Y}: {lead}"
    if len(subject) > 200:
        subject = subject[:199] + "…"
    try:
        with transaction.atomic():
            digest = Digest.objects.create(
                date=day,
                subject=subject,
                covers_from=since,
                # Everything up to the newest included article is covered; an article going
                # live after the query falls into the next digest, never into neither.
                covers_until=max(article.published_at for article in articles),
            )
            DigestArticle.objects.bulk_create(
                DigestArticle(digest=digest, article=article, position=position)
                for position, article in enumerate(articles)
            )
    except IntegrityError:
        return Digest.objects.get(date=day)
    return digest


def digest_due_today(*, now=None) -> Digest | None:
    """Build today's digest once the build time has come; return it if it should be sent now."""
    now = timezone.localtime(now or timezone.now())
    send_at = now.replace(hour=settings.NEWSLETTER_SEND_HOUR, minute=0, second=0, microsecond=0)
    if now < send_at - timedelta(minutes=settings.NEWSLETTER_BUILD_LEAD_MINUTES):
        return None
    digest = digest_build(day=now.date())
    if digest and digest.status == Digest.Status.DRAFT and digest.auto_send and now >= send_at:
        return digest
    return None


def digest_send(*, digest: Digest, by=None) -> int:
    """Start sending a digest to every confirmed subscriber. Idempotent; returns deliveries created.

    The first call (under a row lock) moves draft -> sending and creates the
    Delivery rows in bulk (INSERT ... SELECT, ON CONFLICT DO NOTHING on the
    (digest, subscriber) constraint); later calls (a double click, a second
    worker, a re-run) create nothing. Raises NewsletterError for an empty digest.
    """
    with transaction.atomic():
        locked = Digest.objects.select_for_update().get(pk=digest.pk)
        created = 0
        if locked.status == Digest.Status.SENT:
            return 0
        if locked.status == Digest.Status.DRAFT:
            if not locked.items.exists():
                raise NewsletterError("This digest has no articles; add some or delete it.")
            locked.status = Digest.Status.SENDING
            locked.send_started_at = timezone.now()
            locked.sent_by = by
            locked.save(update_fields=["status", "send_started_at", "sent_by"])
            created = Delivery.objects.create_for_confirmed(digest=locked)
            logger.info("newsletter: digest %s sending to %s subscribers (by %s)", locked.date, created, by)
        if created == 0:
            digest_finish_if_done(digest_id=locked.pk)
    return created


def digest_send_test(*, digest: Digest, to: str) -> None:
    """Send one copy to an editor. Creates no Delivery and changes nothing. Raises NewsletterError if it fails."""
    preview = Subscriber(pk=0, email=to, name="", status=Subscriber.Status.CONFIRMED)
    message = emails.digest_message(emails.digest_rendering(digest), preview)
    message.subject = f"[TEST] {message.subject}"
    failure = mail.send(message)
    if failure is not None:
        raise NewsletterError(f"The test could not be sent: {failure.detail}")
