"""The comments area of an article page, and the filters that display comments safely."""

import re

from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from comments.forms import CommentForm, blank_form_html
from comments.models import Comment, comments_open
from comments.visitor import own_pending_ids, remembered_commenter

register = template.Library()

# Replies nest visually up to this depth; deeper replies line up at the last level.
MAX_DEPTH = 3
_URL_RE = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"
LINK_REL = "nofollow ugc noopener"


def _split_trailing(url: str) -> tuple[str, str]:
    """Split trailing punctuation off a matched address: ("x.org/a", ").") for "x.org/a).".

    A ")" stays when the address has at least as many "(" as ")" up to it (Wikipedia
    style). One backward pass with the counts taken once, so a stored comment ending
    in a megabyte of dots or parentheses costs linear time, not quadratic.
    """
    opens, closes = url.count("("), url.count(")")
    end = len(url)
    while end and url[end - 1] in _TRAILING:
        if url[end - 1] == ")":
            if opens >= closes:
                break  # a balanced parenthesis belongs to the address
            closes -= 1
        end -= 1
    return url[:end], url[end:]


@register.filter(is_safe=True)
def comment_body(text: str) -> str:
    """Comment text as HTML: everything escaped, line breaks kept, web addresses linked.

    Only http(s):// and www. addresses become links, so `javascript:` and other
    schemes stay plain text; every link carries rel="nofollow ugc noopener".
    """
    parts, pos = [], 0
    for match in _URL_RE.finditer(text):
        url, trailing = _split_trailing(match.group(0))
        parts.append(escape(text[pos : match.start()]))
        href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
        parts.append(f'<a href="{escape(href)}" rel="{LINK_REL}">{escape(url)}</a>{escape(trailing)}')
        pos = match.end()
    parts.append(escape(text[pos:]))
    return mark_safe(linebreaks("".join(parts), autoescape=False))  # noqa: S308 - every piece escaped above  # nosec B308 B703


@register.filter
def safe_website(url: str) -> str:
    """The commenter's website, or "" unless it is a plain http(s) address."""
    return url if url and url.lower().startswith(("http://", "https://")) else ""


@register.filter
def comment_count_label(count) -> str:
    count = int(count or 0)
    return f"{count} Comment" if count == 1 else f"{count} Comments"


def thread(comments: list[Comment]) -> list[Comment]:
    """Order comments as a thread (each reply after its parent) and set `.depth`.

    A reply whose parent is not shown (held, removed) is shown at the top level.
    """
    shown = {c.pk for c in comments}
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        key = comment.parent_id if comment.parent_id in shown else None
        children.setdefault(key, []).append(comment)
    ordered: list[Comment] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        comment.depth = min(depth, MAX_DEPTH)
        ordered.append(comment)
        stack.extend((c, depth + 1) for c in reversed(children.get(comment.pk, [])))
    return ordered


@register.inclusion_tag("comments/_comment_section.html", takes_context=True)
def comment_section(context, article):
    """Everything under an article: the count, the thread and the form. One SQL query.

    The visitor's own comments awaiting moderation come from a signed cookie;
    when they have any here the page is personal and is kept out of caches.
    A view re-rendering the page after a failed post passes `comment_form`.
    """
    request = context.get("request")
    own_ids = own_pending_ids(request) if request is not None else []
    comments = list(Comment.objects.for_display(article=article, own_ids=own_ids))
    approved_count = sum(1 for c in comments if c.status == Comment.Status.APPROVED)
    is_open = comments_open(article)
    form = context.get("comment_form")
    if not isinstance(form, CommentForm) and is_open:
        initial = remembered_commenter(request) if request is not None else {}
        if initial:
            initial["remember"] = True
        form = CommentForm(article=article, initial=initial)
    if request is not None and (len(comments) != approved_count or (form is not None and form.initial.get("email"))):
        request.reex_no_cache = True
    return {
        "article": article,
        # An empty form is the same HTML everywhere: rendered once (comments.forms.blank_form_html).
        "form_html": blank_form_html() if form is not None and not form.is_bound and not form.initial else "",
        "comments": thread(comments),
        "comment_count": approved_count,
        "comments_open": is_open,
        "form": form,
        "request": request,
    }


@register.simple_tag
def pending_comment_count() -> int:
    return Comment.objects.pending().count()
