"""State-changing operations on comments. Views, the admin, tasks and commands call these.

Services never enqueue background work (comments.tasks imports this module,
never the reverse): the caller enqueues on commit, through the helpers at the
end of comments.tasks. Refusals raise comments.errors.CommentError.

Longer than 400 lines for a reason: the moderation moves, the notification
emails and the privacy operations all lock comment rows the same way and
share `_moderate`; the trust, Akismet and spam-rule logic already live in
comments.trust, comments.spamcheck and comments.moderation. The email
builder here (`_send`) is due to move to the shared helper in reex/.
"""

import hashlib
import hmac
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from comments import spamcheck, trust
from comments.errors import CommentError, DuplicateComment
from comments.models import Comment, CommentReport, ModerationSettings
from comments.moderation import judge
from reex import mail

logger = logging.getLogger(__name__)

_UNSUBSCRIBE_SALT = "comments.reply-unsubscribe"
ERASED_NAME = "Anonymous"
ERASED_BODY = "[This comment was removed at its author's request.]"


__all__ = ["CommentError", "DuplicateComment"]  # re-exported: callers catch them from here


def _is_duplicate(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") == "comment_no_identical_repeat"


def comment_submit(
    *,
    article,
    parent: Comment | None,
    name: str,
    email: str,
    url: str,
    body: str,
    notify_replies: bool,
    ip_address: str | None,
    user_agent: str,
    honeypot: str,
    form_age: float | None,
    trusted: bool = False,
) -> Comment:
    """Store a visitor's comment with the status the moderation rules give it.

    `form_age` is None for a form sent without its timing token (held);
    `trusted` comes from comments.trust.is_trusted. Raises DuplicateComment for
    an identical repeat (enforced by a unique constraint, so it holds under
    simultaneous posts too). The caller enqueues the notices
    (comments.tasks.comment_submitted_enqueue).
    """
    verdict = judge(
        name=name,
        email=email,
        url=url,
        body=body,
        ip_address=ip_address,
        honeypot=honeypot,
        form_age=form_age,
        trusted=trusted,
    )
    comment = Comment(
        article=article,
        parent=parent,
        name=name,
        email=email,
        url=url,
        body=body,
        notify_replies=notify_replies,
        status=verdict.status,
        moderation_reason=verdict.reason,
        ip_address=ip_address,
        user_agent=user_agent[:300],
    )
    if verdict.status != Comment.Status.SPAM and spamcheck.akismet_enabled():
        # Asked before the row exists and outside any transaction: a slow Akismet holds no lock.
        spamcheck.apply_akismet_answer(comment, spamcheck.akismet_check(comment=comment))
    try:
        with transaction.atomic():
            comment.save(force_insert=True)
    except IntegrityError as exc:
        if _is_duplicate(exc):
            raise DuplicateComment from exc
        raise
    return comment


def comment_report(*, comment_id: int, ip_address: str | None) -> bool:
    """A reader reports an approved comment. False if it is not reportable (gone, not approved).

    One report per reader and comment (a repeat is accepted and changes
    nothing: the reader is not told whether they counted). Once the reports
    reach the editors' threshold (ModerationSettings), the comment goes back
    to the queue, hidden until an editor approves it again; an editor's later
    approval stands until as many new reports arrive.
    """
    comment = Comment.objects.approved().filter(pk=comment_id).first()
    if comment is None:
        return False
    key = hmac.new(settings.SECRET_KEY.encode(), (ip_address or "").encode(), hashlib.sha256).hexdigest()
    with transaction.atomic():
        _, created = CommentReport.objects.get_or_create(comment=comment, reporter_key=key)
    threshold = ModerationSettings.load().report_threshold
    if created and threshold:
        since = comment.moderated_at if comment.moderated_by_id else None
        reports = comment.reports.filter(created_at__gte=since) if since else comment.reports.all()
        count = reports.count()
        if count >= threshold:
            _moderate(
                comment=comment,
                by=None,
                status=Comment.Status.PENDING,
                reason=f"Reported by {count} readers: back in the queue.",
            )
    return True


def _moderate(*, comment: Comment, by, status: str, reason: str) -> Comment:
    """Move a comment to `status`, recording who and when.

    Idempotent: the row is locked, and a comment already in `status` is left
    as it is (the first moderator stays on record), so two editors approving
    at once do exactly one approval. An approved reply's notice is the
    caller's to enqueue (comments.tasks.reply_notice_enqueue); it is sent once
    whoever enqueues it.
    """
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status == status:
            changed = False
        else:
            changed = True
            locked.status = status
            locked.moderated_by = by
            locked.moderated_at = timezone.now()
            locked.moderation_reason = reason
            locked.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])
    for field in ("status", "moderated_by_id", "moderated_at", "moderation_reason"):
        setattr(comment, field, getattr(locked, field))
    if changed:
        logger.info("Comment %s marked %s by %s", comment.pk, status, by)
    return comment


def comment_approve(*, comment: Comment, by) -> Comment:
    """Publish a comment. Replies trigger the parent commenter's opt-in notification."""
    return _moderate(comment=comment, by=by, status=Comment.Status.APPROVED, reason="Approved by an editor.")


def comment_mark_spam(*, comment: Comment, by) -> Comment:
    """Hide a comment as spam. It is kept for review, never deleted."""
    return _moderate(comment=comment, by=by, status=Comment.Status.SPAM, reason="Marked as spam by an editor.")


def comment_remove(*, comment: Comment, by) -> Comment:
    """Hide a comment that is not spam but should not be shown. Kept, so the decision can be undone."""
    return _moderate(comment=comment, by=by, status=Comment.Status.REMOVED, reason="Removed by an editor.")


def comment_hold(*, comment: Comment, by) -> Comment:
    """Put a comment back in the queue (hidden until approved)."""
    return _moderate(comment=comment, by=by, status=Comment.Status.PENDING, reason="Held by an editor.")


MODERATE_TO = {
    Comment.Status.APPROVED: comment_approve,
    Comment.Status.SPAM: comment_mark_spam,
    Comment.Status.REMOVED: comment_remove,
    Comment.Status.PENDING: comment_hold,
}


def comment_reply_as_staff(*, parent: Comment, by, body: str) -> Comment:
    """An editor's reply, published at once and shown with a "staff" badge."""
    name = (by.get_full_name() or by.get_username())[:80]
    try:
        with transaction.atomic():
            reply = Comment.objects.create(
                article_id=parent.article_id,
                parent=parent,
                name=name,
                email=by.email or "",
                body=body,
                status=Comment.Status.APPROVED,
                is_staff_reply=True,
                moderated_by=by,
                moderated_at=timezone.now(),
                moderation_reason="Staff reply.",
            )
    except IntegrityError as exc:
        if _is_duplicate(exc):
            raise DuplicateComment from exc
        raise
    return reply


# --- Notifications --------------------------------------------------------------------------


def moderator_emails() -> list[str]:
    """Active staff who may moderate comments (superusers, or the change_comment permission)."""
    perm = Permission.objects.get(content_type__app_label="comments", codename="change_comment")
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm))
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(users))


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(*, template: str, subject: str, to: list[str], context: dict, headers: dict | None = None) -> None:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    # reex/mail.py: the List-Unsubscribe header goes out raw, as mail clients read it.
    mail.templated_email(
        template=f"comments/email/{template}", subject=subject, to=to, context=context, headers=headers
    ).send()


def moderators_notify(*, comment_id: int | None = None) -> int:
    """Email moderators every pending comment they have not been told about, in one message.

    Returns how many comments the email listed (0: nothing to send). Comments
    are marked notified in the same transaction as the send, so a failed send
    leaves them for the next batch and a repeated task sends nothing twice.
    """
    recipients = moderator_emails()
    with transaction.atomic():
        batch = list(
            Comment.objects.pending()
            .filter(moderators_notified_at__isnull=True)
            .select_related("article")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "id")[:100]
        )
        if not batch:
            return 0
        if recipients:
            queue_url = _absolute(reverse("admin:comments_comment_changelist") + "?status__exact=pending")
            count = len(batch)
            _send(
                template="moderators_notice",
                subject=f"{count} new comment{'s' if count != 1 else ''} awaiting moderation",
                to=recipients,
                context={
                    "comments": [
                        {
                            "comment": c,
                            "admin_url": _absolute(reverse("admin:comments_comment_change", args=[c.pk])),
                        }
                        for c in batch
                    ],
                    "count": count,
                    "queue_url": queue_url,
                },
            )
        else:
            logger.warning("Comments await moderation but no moderator has an email address.")
        Comment.objects.filter(pk__in=[c.pk for c in batch]).update(moderators_notified_at=timezone.now())
    return len(batch)


def unsubscribe_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_email_from_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def moderators_notify_pending(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Send moderator notices that never went out (SMTP was down). Returns how many comments were listed.

    Only when some unnotified pending comment is older than `older_than`, so the
    sweep does not cut short the normal batch window of fresh comments.
    """
    stale = Comment.objects.pending().filter(
        moderators_notified_at__isnull=True, created_at__lte=timezone.now() - older_than
    )
    listed = 0
    while stale.exists():
        try:
            count = moderators_notify()
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("comments: moderator notices not sent, SMTP still failing: %r", exc)
            break
        if not count:
            break
        listed += count
    return listed


def reply_notifications_send_pending(*, limit: int = 500) -> int:
    """Send reply notices that never went out (SMTP was down). Returns how many emails went out."""
    ids = (
        Comment.objects.filter(status=Comment.Status.APPROVED, parent__isnull=False, reply_notified_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    sent = 0
    for comment_id in list(ids[:limit]):
        try:
            sent += reply_notify(comment_id=comment_id)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("comments: reply notices not sent, SMTP still failing: %r", exc)
            break
    return sent


def reply_notify(*, comment_id: int) -> bool:
    """Tell the parent's author about an approved reply, if they opted in. True if an email was sent.

    The reply row is locked while sending and `reply_notified_at` is set in the
    same transaction after the server accepted the message, so the task and
    send_pending_email never both send it, and a failed send (raised; the task
    logs it) leaves it for the next sweep. The lock waits rather than skips: an
    editor's approval may briefly hold the row, and PostgreSQL re-checks
    `reply_notified_at` after the wait.
    """
    with transaction.atomic():
        reply = (
            Comment.objects.select_related("parent", "article")
            .select_for_update(of=("self",))
            .filter(pk=comment_id, reply_notified_at__isnull=True)
            .first()
        )
        if reply is None or reply.status != Comment.Status.APPROVED or reply.parent is None:
            return False
        sent = _reply_notice_send(reply)
        Comment.objects.filter(pk=reply.pk).update(reply_notified_at=timezone.now())
    return sent


def _reply_notice_send(reply: Comment) -> bool:
    parent = reply.parent
    if not parent.notify_replies or not parent.email or parent.email.lower() == reply.email.lower():
        return False
    unsubscribe_url = _absolute(reverse("comments:unsubscribe", args=[unsubscribe_token(parent.email)]))
    settings_url = _absolute(reverse("comments:commenter", args=[trust.settings_token(parent.email)]))
    _send(
        template="reply_notice",
        subject=f"New reply to your comment on “{reply.article.title}”",
        to=[parent.email],
        context={
            "reply": reply,
            "parent": parent,
            "article": reply.article,
            "reply_url": _absolute(reply.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url,
            "settings_url": settings_url,
        },
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    return True


def trust_confirmation_send(*, comment_id: int) -> bool:
    """Email the author of a held comment a one-time "confirm it's you" link. True if sent.

    Only for a comment still pending (not spam, not approved), at most once per
    address per COMMENTS_TRUST_RESEND_SECONDS (comments.trust). SMTP errors are
    raised; the task logs them (the commenter gets a link with their next comment).
    """
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING or not comment.email:
        return False
    record, due = trust.trust_for_confirmation(email=comment.email, name=comment.name)
    if not due:
        return False
    token = trust.confirmation_token(trust=record, name=comment.name)
    _send(
        template="trust_confirm",
        subject=f"Confirm it’s you, and your comments on {settings.SITE_NAME} appear at once",
        to=[comment.email],
        context={
            "comment": comment,
            "article": comment.article,
            "confirm_url": _absolute(reverse("comments:trust_confirm", args=[token])),
            "settings_url": _absolute(reverse("comments:commenter", args=[trust.settings_token(comment.email)])),
        },
    )
    return True


def commenter_unsubscribe(*, email: str) -> int:
    """Stop reply notifications for every comment by `email`. Idempotent; returns rows changed."""
    return Comment.objects.filter(email__iexact=email, notify_replies=True).update(notify_replies=False)


# --- Privacy --------------------------------------------------------------------------------


def commenter_erase(*, email: str) -> tuple[int, int]:
    """Erase everything a commenter gave us. Returns (deleted, anonymised).

    Comments nobody replied to are deleted. Comments with replies are kept as
    an anonymous placeholder (no name, email, website, text, IP or user agent)
    so other people's replies keep their thread.
    """
    email = email.strip()
    deleted = anonymised = 0
    with transaction.atomic():
        list(Comment.objects.select_for_update().filter(email__iexact=email).values_list("pk"))
        # Delete from the leaves up: a comment whose only replies were theirs goes too.
        # One by one (a commenter has few comments) so the page cache hears about each change.
        while leaves := list(Comment.objects.filter(email__iexact=email, replies__isnull=True)):
            for comment in leaves:
                comment.delete()
                deleted += 1
        for comment in Comment.objects.filter(email__iexact=email):
            comment.name, comment.email, comment.url, comment.body = ERASED_NAME, "", "", ERASED_BODY
            comment.ip_address, comment.user_agent, comment.notify_replies = None, "", False
            comment.save(update_fields=["name", "email", "url", "body", "ip_address", "user_agent", "notify_replies"])
            anonymised += 1
    return deleted, anonymised


def comment_ips_purge(*, older_than_days: int) -> int:
    """Clear IP address and user agent of comments older than the retention period. Returns rows changed."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
        .update(ip_address=None, user_agent="")
    )
