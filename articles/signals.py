"""Signal handlers of the articles app."""

import importlib

from django.apps import apps as global_apps


def ensure_roles(sender, apps=None, **kwargs):
    """Keep the Writers and Editors groups in place after every migrate and flush.

    Migration 0002 creates them; a database flush (TransactionTestCase, `manage.py flush`) empties
    auth tables but then sends post_migrate, so recreating them here keeps the roles a fact of the schema.
    """
    # post_migrate is sent once per app with models, in INSTALLED_APPS order; the Editors' grants span
    # several apps (comments' moderation permissions), so wait for the last one, when all exist.
    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if with_models and sender is not with_models[-1]:
        return
    apps = apps or global_apps  # a flush sends no migration state
    if not apps.is_installed("articles"):
        return
    roles = importlib.import_module("articles.migrations.0002_roles")
    try:
        roles.assign_roles(apps)
    except (LookupError, RuntimeError):
        pass  # migrated back before the permissions exist: migration 0002 will create the roles


# --- the page cache (reex/pagecache.py): what an article change forgets -------------------
# Signals, because every save through the ORM (admin, services, shell) must invalidate the
# right pages without each caller remembering it. Bulk `QuerySet.update()` sends no signals:
# code that changes published content that way must call `pagecache.invalidate_article()` itself.

# What lists and the sidebar show of an article: a change to one of these forgets every page's surroundings.
_HEADLINE_FIELDS = ("slug", "status", "published_at", "title", "standfirst", "section_id", "featured")


def article_pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._pagecache_before = None
        return
    instance._pagecache_before = sender.objects.filter(pk=instance.pk).values(*_HEADLINE_FIELDS).first()


def article_post_save(sender, instance, created=False, raw=False, **kwargs):
    from reex import pagecache

    if raw:
        return
    before = getattr(instance, "_pagecache_before", None)
    published = sender.Status.PUBLISHED
    now_or_before_published = instance.status == published or (before and before["status"] == published)
    slugs = {before["slug"]} if before else set()
    if not now_or_before_published:
        pagecache.invalidate_article(instance, slugs=slugs, lists=False)  # a draft: no reader sees it
        return
    headline_changed = before is None or any(before[f] != getattr(instance, f) for f in _HEADLINE_FIELDS)
    pagecache.invalidate_article(instance, slugs=slugs, lists=True, nav=headline_changed)


def article_post_delete(sender, instance, **kwargs):
    from reex import pagecache

    pagecache.invalidate_article(instance, lists=True, nav=True)


def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from articles.models import Article
    from reex import pagecache

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Article):
        pagecache.invalidate_article_id(instance.pk)
    else:  # a tag's articles changed from the tag's side
        for article_id in pk_set or ():
            pagecache.invalidate_article_id(article_id)


def _article_page(article_id: int) -> tuple[str, bool] | None:
    from articles.models import Article

    row = Article.objects.filter(pk=article_id).values_list("slug", "status").first()
    return (row[0], row[1] == Article.Status.PUBLISHED) if row else None


def _next_publication():
    from articles.models import Article

    return Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()


def _article_paths(tag: str) -> list[str] | None:
    """For path-only edges (CloudFront): an article's tag stands for its page; other tags are unknown here."""
    from urllib.parse import unquote

    from django.urls import reverse

    if not tag.startswith("article-"):
        return None
    return [reverse("articles:detail", kwargs={"slug": unquote(tag.removeprefix("article-"))})]


def register_with_page_cache() -> None:
    """Tell the page cache how to find an article's page and which changes forget which pages."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from articles import models
    from reex import edge, pagecache

    pagecache.register_articles(page_of=_article_page, next_publication=_next_publication)
    edge.register_tag_paths(_article_paths)
    uid = "articles.pagecache"
    pre_save.connect(article_pre_save, sender=models.Article, dispatch_uid=f"{uid}.article.pre")
    post_save.connect(article_post_save, sender=models.Article, dispatch_uid=f"{uid}.article.post")
    post_delete.connect(article_post_delete, sender=models.Article, dispatch_uid=f"{uid}.article.delete")
    m2m_changed.connect(article_tags_changed, sender=models.Article.tags.through, dispatch_uid=f"{uid}.tags")
    # What the article page shows of it: changing one forgets that article's page.
    for part in models.BRIEF_PARTS:
        pagecache.invalidate_on_change(part.model, article_id=lambda instance: instance.article_id)
    # Shown around the content of many pages (sections menu, author boxes, source pages).
    for model in (models.Section, models.Author, models.Source):
        pagecache.invalidate_on_change(model)
