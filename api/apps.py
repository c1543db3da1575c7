from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Content API"

    def ready(self):
        from api.signals import grant_editors_api_keys

        post_migrate.connect(grant_editors_api_keys, sender=self, dispatch_uid="api.grant_editors_api_keys")
