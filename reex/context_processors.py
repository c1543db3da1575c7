from django.conf import settings


def site(request):
    """Site identity for every template: name, tagline and absolute base URL."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_URL": settings.SITE_URL,
    }
