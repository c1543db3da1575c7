"""Background work for comments: thin wrappers that take ids and call a service."""

from django.tasks import task

from comments import services


@task(queue_name="email")
def notify_moderators(comment_id: int) -> int:
    """Email moderators about `comment_id` and every other pending comment not yet notified."""
    return services.moderators_notify(comment_id=comment_id)


@task(queue_name="email")
def notify_reply(comment_id: int) -> bool:
    return services.reply_notify(comment_id=comment_id)
