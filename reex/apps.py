from django.apps import AppConfig


class ReexConfig(AppConfig):
    name = "reex"
    verbose_name = "Reex"
