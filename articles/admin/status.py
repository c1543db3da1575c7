"""How an article's workflow status is shown in the admin: the "scheduled" pseudo-status and its badge."""

from django.utils.html import format_html

from articles.models import (
    Article,
)

S = Article.Status
# Not a stored status: a published article whose publication time is still to come.
SCHEDULED = "scheduled"

BADGE_COLOURS = {
    "draft": ("#f1f3f5", "#495057"),
    "review": ("#fff3bf", "#7c5e00"),
    "scheduled": ("#d0ebff", "#1c5d99"),
    "published": ("#d3f9d8", "#1b6e2a"),
    "unpublished": ("#ffe3e3", "#a61e1e"),
}


def status_key(article) -> str:
    return SCHEDULED if article.is_scheduled else article.status


def status_badge(article):
    background, colour = BADGE_COLOURS[status_key(article)]
    return format_html(
        '<span class="reex-status reex-status--{}" style="display:inline-block;padding:2px 8px;border-radius:10px;'
        'font-size:11px;font-weight:600;white-space:nowrap;background:{};color:{}">{}</span>',
        status_key(article),
        background,
        colour,
        article.display_status,
    )
