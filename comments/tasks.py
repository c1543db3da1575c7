"""Background work for comments: leaf wrappers that take ids and call a service.

Nothing in comments imports this module except the callers that enqueue
(views, the admin): services never enqueue, so the two never import each other.
The `*_enqueue` helpers schedule on commit, so a task never runs for a row
that was rolled back, and never before the row is visible to the worker.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from comments import services, spamcheck
from comments.models import Comment

logger = logging.getLogger(__name__)

_BATCH_KEY = "comments:moderators-batch"
# SMTP errors are logged here and nowhere else: the row stays unmarked and send_pending_email sends it later.
_SMTP_ERRORS = (smtplib.SMTPException, OSError)


@task(queue_name="email")
def notify_moderators(comment_id: int) -> int:
    """Email moderators about `comment_id` and every other pending comment not yet notified."""
    try:
        return services.moderators_notify(comment_id=comment_id)
    except _SMTP_ERRORS:
        logger.warning("comments: moderator notice for %s not sent, will retry", comment_id, exc_info=True)
        return 0


@task(queue_name="email")
def notify_reply(comment_id: int) -> bool:
    try:
        return services.reply_notify(comment_id=comment_id)
    except _SMTP_ERRORS:
        logger.warning("comments: reply notice for %s not sent, will retry", comment_id, exc_info=True)
        return False


@task(queue_name="email")
def send_trust_confirmation(comment_id: int) -> bool:
    try:
        return services.trust_confirmation_send(comment_id=comment_id)
    except _SMTP_ERRORS:
        # Not swept later: the commenter gets a new link with their next held comment.
        logger.warning("comments: confirmation link for %s not sent", comment_id, exc_info=True)
        return False


@task(queue_name="default")
def akismet_feedback(comment_id: int, spam: bool) -> bool:
    try:
        return spamcheck.comment_akismet_feedback(comment_id=comment_id, spam=spam)
    except spamcheck.UNAVAILABLE_ERRORS:
        # Feedback only trains Akismet; losing one report is harmless, so no retry queue.
        logger.warning("comments: Akismet feedback for %s not sent", comment_id, exc_info=True)
        return False


# --- enqueueing, for callers ------------------------------------------------------------------


def comment_submitted_enqueue(comment: Comment, *, trusted: bool) -> None:
    """After a visitor's comment: tell moderators (pending), notify a parent (approved) and,
    for an untrusted author of a held comment, send the "confirm it's you" link."""
    if comment.status == Comment.Status.PENDING:
        transaction.on_commit(lambda: _moderator_notice_schedule(comment.pk))
        if not trusted:
            transaction.on_commit(lambda: send_trust_confirmation.enqueue(comment_id=comment.pk))
    elif comment.status == Comment.Status.APPROVED:
        reply_notice_enqueue(comment)


def comment_moderated_enqueue(comment: Comment, *, before_status: str, before_akismet: str) -> None:
    """After an editor's decision: the reply notice (approved) and, with Akismet on, its feedback.

    Marking spam sends submit-spam; approving a comment that was in Spam or
    that Akismet had called spam sends submit-ham.
    """
    reply_notice_enqueue(comment)
    if not spamcheck.akismet_enabled():
        return
    if comment.status == Comment.Status.SPAM and before_status != Comment.Status.SPAM:
        transaction.on_commit(lambda: akismet_feedback.enqueue(comment_id=comment.pk, spam=True))
    elif comment.status == Comment.Status.APPROVED and (
        before_status == Comment.Status.SPAM or before_akismet in (Comment.Akismet.SPAM, Comment.Akismet.DISCARD)
    ):
        transaction.on_commit(lambda: akismet_feedback.enqueue(comment_id=comment.pk, spam=False))


def reply_notice_enqueue(comment: Comment) -> None:
    """After a comment became approved (or a staff reply): notify the parent's author, once."""
    if comment.parent_id and comment.status == Comment.Status.APPROVED:
        transaction.on_commit(lambda: notify_reply.enqueue(comment_id=comment.pk))


def _moderator_notice_schedule(comment_id: int) -> None:
    """Queue the moderators' email; comments arriving within the batch window share one email."""
    window = settings.COMMENTS_NOTIFY_BATCH_SECONDS
    if window > 0 and notify_moderators.get_backend().supports_defer:
        # The first comment of a window schedules one deferred send; it picks up
        # every comment not yet notified, including the ones that arrive meanwhile.
        try:
            first_of_window = cache.add(_BATCH_KEY, comment_id, timeout=window)
        except Exception:
            # Cache down: notify at once rather than lose the notice (a few more emails, none missed).
            logger.exception("comments: cache unavailable, notifying moderators without batching")
        else:
            if first_of_window:
                run_after = timezone.now() + timedelta(seconds=window)
                notify_moderators.using(run_after=run_after).enqueue(comment_id=comment_id)
            return
    notify_moderators.enqueue(comment_id=comment_id)
