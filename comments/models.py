"""Reader comments, moderated before they appear."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import MD5, Lower, Upper
from django.utils import timezone


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def for_display(self, *, article, own_ids=()):
        """What a visitor sees under an article, in one query.

        Approved comments, plus the visitor's own comments still awaiting a
        decision (ids from their signed cookie). Held-as-spam comments are
        shown to their own author as "awaiting moderation" too, so a human
        caught by a spam rule is not told anything a bot could learn from.
        Emails are deferred: they must never reach a template.
        """
        visible = models.Q(status=Comment.Status.APPROVED)
        if own_ids:
            visible |= models.Q(status__in=[Comment.Status.PENDING, Comment.Status.SPAM], pk__in=list(own_ids))
        return self.filter(visible, article=article).defer("email", "ip_address", "user_agent")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    class Akismet(models.TextChoices):
        NOT_CHECKED = "", "Not checked"
        HAM = "ham", "Not spam"
        SPAM = "spam", "Spam"
        DISCARD = "discard", "Blatant spam"
        UNAVAILABLE = "unavailable", "Akismet unavailable: to recheck"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    name = models.CharField(max_length=80)
    email = models.EmailField(max_length=254)
    url = models.URLField("website", max_length=300, blank=True)
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    is_staff_reply = models.BooleanField(default=False)
    notify_replies = models.BooleanField(default=False, help_text="The commenter asked to be emailed about replies.")
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_reason = models.CharField(max_length=200, blank=True)
    # For abuse handling only; purged after COMMENTS_IP_RETENTION_DAYS.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Set once moderators have been emailed about this comment, so a batch never repeats it.
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # On an approved reply: set once the parent's author was emailed about it (or it was found that no
    # email is due), only after the SMTP server accepted it, so send_pending_email retries after an outage.
    reply_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Akismet's answer (comments.spamcheck), or an editor's decision sent back to it; "unavailable" is rechecked.
    akismet = models.CharField(max_length=11, choices=Akismet.choices, blank=True, default="", editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status_idx"),
            models.Index(fields=["status", "-created_at"], name="comment_queue_idx"),
            # Lookups by commenter are case-insensitive (email__iexact compiles to UPPER(email) = UPPER(%s)):
            # the known-commenter rule runs on every post, erase_commenter on a whole archive.
            models.Index(Upper("email"), name="comment_email_ci_idx"),
        ]
        constraints = [
            # "Refuse an identical repeat comment", enforced by the database so two
            # simultaneous double-clicks cannot both get in. Erased comments have no email.
            models.UniqueConstraint(
                "article",
                Lower("email"),
                MD5("body"),
                condition=~models.Q(email=""),
                name="comment_no_identical_repeat",
            ),
        ]

    def __str__(self):
        return f"{self.name} on {self.article_id}: {self.body[:40]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.APPROVED


def comments_open(article, *, now=None) -> bool:
    """Whether `article` accepts new comments.

    Closed when the editor switched comments off, or COMMENTS_CLOSE_AFTER_DAYS
    (0 = never) have passed since publication.
    """
    if not article.allow_comments:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at is not None:
        return (now or timezone.now()) < article.published_at + timedelta(days=days)
    return True


class ModerationWord(models.Model):
    """An editable moderation rule: a word, phrase, domain or IP address."""

    class Kind(models.TextChoices):
        HOLD = "hold", "Hold for moderation"
        BLOCK = "block", "Mark as spam"

    word = models.CharField(
        max_length=100,
        help_text="A word, phrase, web domain or IP address. Matched case-insensitively as a whole word "
        "in the name, email, website, comment text and IP address of new comments.",
    )
    kind = models.CharField(
        max_length=5,
        choices=Kind.choices,
        default=Kind.HOLD,
        help_text="Hold: the comment waits for an editor even if its author is known. "
        "Mark as spam: the comment is kept but hidden, in the Spam filter of the queue.",
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why this entry exists, for other editors.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "word"]
        verbose_name = "moderation word"
        constraints = [
            models.UniqueConstraint(Lower("word"), "kind", name="moderation_word_unique"),
        ]

    def __str__(self):
        return f"{self.word} ({self.get_kind_display()})"


class CommenterTrustQuerySet(models.QuerySet):
    def active(self):
        return self.filter(confirmed_at__isnull=False, withdrawn_at__isnull=True)


class CommenterTrust(models.Model):
    """A commenter who proved, by a one-time link sent to them, that they control their email address.

    Proof lives in the commenter's browser as a signed cookie bound to `secret`
    (comments.trust); withdrawing rotates `secret`, so every such cookie stops
    working at once. The confirmation link carries `link_nonce`, rotated when
    the link is used, so a link works once.
    """

    email = models.EmailField(max_length=254, unique=True, help_text="Lower-cased.")
    name = models.CharField(max_length=80, help_text="Comments must use this name (any case) to be trusted.")
    secret = models.CharField(max_length=64, editable=False)
    link_nonce = models.CharField(max_length=64, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True, help_text="The commenter withdrew their trust.")
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommenterTrustQuerySet.as_manager()

    class Meta:
        verbose_name = "trusted commenter"

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.withdrawn_at is None


class CommentReport(models.Model):
    """A reader's report of an approved comment. One per reader (by a keyed hash of their IP) per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    # HMAC of the reporter's IP address: enough to count one report per reader, without storing the address.
    reporter_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("comment", "reporter_key", name="comment_report_once_per_reader"),
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id}"


class ModerationSettings(models.Model):
    """Settings editors change in the admin without a deploy. One row (pk=1)."""

    report_threshold = models.PositiveSmallIntegerField(
        default=3,
        help_text="An approved comment reported by this many readers goes back to the moderation queue "
        "(hidden until an editor approves it again). 0 = never automatically.",
    )

    class Meta:
        verbose_name = "moderation settings"
        verbose_name_plural = "moderation settings"

    def __str__(self):
        return "Moderation settings"

    @classmethod
    def load(cls) -> "ModerationSettings":
        return cls.objects.get_or_create(pk=1)[0]
