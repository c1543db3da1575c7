from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from articles.signals import ensure_roles, register_with_page_cache

        # Connected here so it runs after auth's own post_migrate handler has created the permissions.
        # For every sender: the roles grant other apps' permissions (comments), which exist only once
        # post_migrate has been sent for those apps too; ensure_roles acts on the last app's signal.
        post_migrate.connect(ensure_roles, dispatch_uid="articles.ensure_roles")
        register_with_page_cache()
