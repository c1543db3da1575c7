from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


# --- page cache (reex/pagecache.py, reex/csrf.py) ---


@register.simple_tag(takes_context=True)
def csrf_field(context):
    """A CSRF token field that keeps the page cacheable.

    On pages the page cache never stores (the newsletter's own pages, a POST
    with errors) and for visitors who bypass it (logged in, flash messages, a
    pending comment) the page is theirs alone, so it carries the real token.
    For everyone else the field is empty and static/js/site.js fills it from
    /csrf/ before sending; without JavaScript, reex.csrf.resend_page catches it.
    """
    from reex.pagecache import bypasses_cache, is_cacheable_page

    request = context.get("request")
    if request is not None and (bypasses_cache(request) or not is_cacheable_page(request)):
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}" data-csrf-field>', get_token(request)
        )
    return mark_safe('<input type="hidden" name="csrfmiddlewaretoken" value="" data-csrf-field>')  # nosec B308 - a constant
