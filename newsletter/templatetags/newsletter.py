from django import template

from newsletter.forms import CONSENT_TEXT

register = template.Library()


@register.simple_tag
def newsletter_consent_text() -> str:
    """The consent sentence, from the one place it is defined (its version is stored with each consent)."""
    return CONSENT_TEXT
