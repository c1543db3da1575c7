from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from comments import services, signals, visitor
        from comments.models import Comment
        from reex import pagecache, pending_email

        # A visitor's own pending comment or remembered name is shown on the page: never share it.
        pagecache.register_bypass_cookies(visitor.PENDING_COOKIE, visitor.REMEMBER_COOKIE)
        uid = "comments.pagecache"
        pre_save.connect(signals.comment_pre_save, sender=Comment, dispatch_uid=f"{uid}.pre")
        post_save.connect(signals.comment_post_save, sender=Comment, dispatch_uid=f"{uid}.post")
        post_delete.connect(signals.comment_post_delete, sender=Comment, dispatch_uid=f"{uid}.delete")
        pending_email.register_sweep("moderator notices (comments listed)", services.moderators_notify_pending)
        pending_email.register_sweep("reply notices", services.reply_notifications_send_pending)
