"""The daily newsletter: subscribers (double opt-in), their consent, digests and deliveries.

A Delivery row exists once per (digest, subscriber) and carries the sending
state machine (queued -> sending -> sent/bounced/failed/skipped) that makes a
digest go out exactly once; see newsletter/services.py and docs/newsletter.md.
"""

from django.conf import settings
from django.db import connections, models, router
from django.db.models.functions import Lower
from django.urls import reverse

from newsletter.addresses import normalise_email, validate_address

__all__ = ["normalise_email"]  # re-exported: the one spelling of an address (newsletter/addresses.py)


class InternationalEmailField(models.EmailField):
    """An EmailField that also accepts RFC 6531 addresses (a non-ASCII local part, an IDN domain)."""

    default_validators = [validate_address]


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        """The people who get the digest: confirmed and not suppressed since."""
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def by_email(self, email: str):
        return self.filter(email=normalise_email(email))

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Subscriber.Status.values, 0)
        for row in self.order_by().values("status").annotate(n=models.Count("id")):
            counts[row["status"]] = row["n"]
        return counts


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced (suppressed)"
        COMPLAINED = "complained", "Marked as spam (suppressed)"

    class Source(models.TextChoices):
        SIDEBAR = "sidebar", "Sidebar box"
        FOOTER = "footer", "Footer"
        PAGE = "page", "Signup page"
        IMPORT = "import", "Imported"

    email = InternationalEmailField(
        max_length=254,
        help_text="Stored in one spelling: Unicode NFKC, lower case, the domain as IDNA (xn--…); unique regardless of case.",
    )
    name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.PAGE)
    source_page = models.CharField(
        max_length=500, blank=True, help_text="The page the visitor signed up from, or the import's note."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=500, blank=True)
    delivery_problem = models.CharField(
        max_length=500,
        blank=True,
        default="",
        db_default="",  # bulk loaders (COPY in seed_scale) that do not name the column still work
        editable=False,
        help_text="Why mail to this address cannot go out through our server (e.g. it needs SMTPUTF8); "
        "the subscriber is kept.",
    )
    form_version = models.CharField(
        max_length=40, blank=True, editable=False, help_text="Version of the signup form and consent sentence used."
    )
    # Set with a conditional UPDATE, so concurrent signups can't both send (at most one per hour).
    last_confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set only after the SMTP server accepted the welcome email (or, for imports and rows confirmed
    # before this field existed, when none is due), so send_pending_email can retry it after an outage.
    welcome_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The admin list is newest first and filters by status and source (1M rows in seed_scale).
            models.Index(fields=["-created_at"], name="subscriber_created_idx"),
            models.Index(fields=["status", "-created_at"], name="subscriber_status_idx"),
            models.Index(fields=["source", "-created_at"], name="subscriber_source_idx"),
            # The analytics page's daily series and "left after this digest" (newsletter/analytics.py).
            models.Index(fields=["confirmed_at"], name="subscriber_confirmed_at_idx"),
            models.Index(fields=["unsubscribed_at"], name="subscriber_unsubscribed_at_idx"),
            models.Index(fields=["suppressed_at"], name="subscriber_suppressed_at_idx"),
        ]
        constraints = [
            # The database, not only the form, keeps "A@x.org " and "a@x.org" one subscriber.
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class ConsentRecord(models.Model):
    """Proof of consent: when, through which form and page, from which (hashed) address."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed by email link"
        IMPORTED = "imported", "Imported with consent recorded elsewhere"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONFIRMED)
    created_at = models.DateTimeField(auto_now_add=True)
    form_version = models.CharField(max_length=40)
    consent_text = models.TextField(blank=True, help_text="The sentence the visitor agreed to.")
    source_page = models.CharField(max_length=500, blank=True)
    # HMAC-SHA256 of the IP with SECRET_KEY: proves "same address" without storing it.
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subscriber} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class DigestQuerySet(models.QuerySet):
    def archived(self):
        """Digests readers may browse: those that have gone out."""
        return self.filter(status=Digest.Status.SENT)

    def with_delivery_stats(self):
        """Counts per delivery status in the same query (no query per row in the admin)."""

        def count(status):
            return models.Count("deliveries", filter=models.Q(deliveries__status=status))

        return self.annotate(
            queued_count=count(Delivery.Status.QUEUED),
            sending_count=count(Delivery.Status.SENDING),
            sent_count=count(Delivery.Status.SENT),
            failed_count=count(Delivery.Status.FAILED),
            bounced_count=count(Delivery.Status.BOUNCED),
            skipped_count=count(Delivery.Status.SKIPPED),
        )


class Digest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    date = models.DateField(unique=True, help_text="One digest per day.")
    subject = models.CharField(max_length=200, help_text="The email subject line and the archive page title.")
    editor_note = models.TextField(
        "editor's note", blank=True, help_text="Optional. A short paragraph shown above the articles. Plain text."
    )
    articles = models.ManyToManyField("articles.Article", through="DigestArticle", related_name="digests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    auto_send = models.BooleanField(
        default=True,
        help_text="Send automatically at the configured hour. Untick to hold it until you press Send.",
    )
    covers_from = models.DateTimeField(null=True, blank=True, editable=False)
    covers_until = models.DateTimeField(
        editable=False, help_text="Articles published up to this time are in this digest; later ones in the next."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    send_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Rollup written once when the last delivery is final (newsletter/analytics.py reads it).
    delivery_counts = models.JSONField(null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = DigestQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}: {self.subject}"

    def get_absolute_url(self):
        return reverse("newsletter:archive_detail", kwargs={"date": self.date.isoformat()})

    def ordered_articles(self):
        """The digest's articles in the editor's order, leaving out any unpublished since it was built."""
        from articles.models import Article

        items = self.items.filter(article__in=Article.objects.published()).select_related("article", "article__section")
        return [item.article for item in items.order_by("position", "id")]


class DigestArticle(models.Model):
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["digest", "article"], name="newsletter_digest_article_once")]

    def __str__(self):
        return f"{self.position}: {self.article}"


class DeliveryQuerySet(models.QuerySet):
    def create_for_confirmed(self, *, digest) -> int:
        """One queued delivery per confirmed subscriber, in one INSERT ... SELECT. Returns rows created.

        ON CONFLICT DO NOTHING on the (digest, subscriber) constraint: a second call adds nobody.
        """
        table, subscribers = Delivery._meta.db_table, Subscriber._meta.db_table
        # Table names come from the models, never from input; values are parameters.
        sql = (
            f"INSERT INTO {table} (digest_id, subscriber_id, status, attempts, claimed_by, last_error, created_at) "  # noqa: S608  # nosec B608
            f"SELECT %s, id, %s, 0, '', '', now() FROM {subscribers} WHERE status = %s "
            "ORDER BY id ON CONFLICT DO NOTHING"
        )
        with connections[router.db_for_write(Delivery)].cursor() as cursor:
            cursor.execute(sql, [digest.pk, Delivery.Status.QUEUED, Subscriber.Status.CONFIRMED])
            return cursor.rowcount


class Delivery(models.Model):
    """One digest to one subscriber. The unique constraint is what makes "exactly once" hold."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped (no longer subscribed)"

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True, help_text="host:pid of the sender holding it.")
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["digest", "subscriber"], name="newsletter_delivery_once_per_subscriber"),
        ]
        indexes = [models.Index(fields=["digest", "status", "next_attempt_at"], name="newsletter_delivery_due_idx")]

    def __str__(self):
        return f"{self.digest_id} -> {self.subscriber_id}: {self.status}"
