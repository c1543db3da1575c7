from django.apps import AppConfig


class ReexConfig(AppConfig):
    name = "reex"
    verbose_name = "Reex"

    def ready(self):
        from reex import pagecache, unaccent

        pagecache.connect_signals()
        unaccent.register()
