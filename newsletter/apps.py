from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from anymail.signals import tracking

        from newsletter.webhooks import suppress_on_tracking_event

        tracking.connect(suppress_on_tracking_event, dispatch_uid="newsletter.suppress_on_tracking_event")
