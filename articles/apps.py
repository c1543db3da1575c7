from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from articles.signals import ensure_roles, register_with_page_cache

        # Connected here so it runs after auth's own post_migrate handler has created the permissions.
        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="articles.ensure_roles")
        register_with_page_cache()
