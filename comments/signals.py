"""Signal handlers of the comments app: what a comment change forgets in the page cache (reex/pagecache.py)."""


def comment_pre_save(sender, instance, raw=False, **kwargs):
    instance._pagecache_status_before = (
        None
        if raw or instance.pk is None
        else sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    )


def comment_post_save(sender, instance, raw=False, **kwargs):
    from reex import pagecache

    if raw:
        return
    approved = sender.Status.APPROVED
    if approved in (instance.status, getattr(instance, "_pagecache_status_before", None)):
        # The article shows the comment; lists show the article's comment count.
        pagecache.invalidate_article_id(instance.article_id)


def comment_post_delete(sender, instance, **kwargs):
    from reex import pagecache

    if instance.status == sender.Status.APPROVED:
        pagecache.invalidate_article_id(instance.article_id)
