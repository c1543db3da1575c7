"""Background work for comments: thin wrappers that take ids and call a service."""

import logging
import smtplib

from django.tasks import task

from comments import services

logger = logging.getLogger(__name__)


@task(queue_name="email")
def notify_moderators(comment_id: int) -> int:
    """Email moderators about `comment_id` and every other pending comment not yet notified."""
    try:
        return services.moderators_notify(comment_id=comment_id)
    except (smtplib.SMTPException, OSError):
        # SMTP down: the comments stay unmarked and send_pending_email sends the notice later.
        logger.warning("comments: moderator notice for %s not sent, will retry", comment_id, exc_info=True)
        return 0


@task(queue_name="email")
def notify_reply(comment_id: int) -> bool:
    try:
        return services.reply_notify(comment_id=comment_id)
    except (smtplib.SMTPException, OSError):
        logger.warning("comments: reply notice for %s not sent, will retry", comment_id, exc_info=True)
        return False
