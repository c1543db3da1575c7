from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from anymail.signals import tracking

        from newsletter import services
        from newsletter.webhooks import suppress_on_tracking_event
        from reex import pending_email

        tracking.connect(suppress_on_tracking_event, dispatch_uid="newsletter.suppress_on_tracking_event")
        pending_email.register_sweep("confirmations", services.subscriber_confirmations_resend_pending)
        pending_email.register_sweep("welcomes", services.subscriber_welcomes_send_pending)
