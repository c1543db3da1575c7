from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article
from comments import services, throttle, visitor
from comments.forms import CommentForm
from comments.models import Comment, comments_open
from reex.client_ip import client_ip

DUPLICATE_MESSAGE = "You have already posted this comment here."


def _render_form_page(request, article, form, *, status, template="comments/comment_form.html", **extra):
    """Show the form again, on a page of its own, with the visitor's entries and what to fix."""
    request.reex_no_cache = True  # the page now holds the visitor's email
    context = {"article": article, "form": form, "parent": getattr(form, "cleaned_data", {}).get("parent"), **extra}
    return render(request, template, context, status=status)


@require_POST
@never_cache
def comment_post(request, article_id):
    """Receive the "Submit a Comment" form, then redirect back to the article (post/redirect/get)."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = CommentForm(request.POST, article=article)
    if not comments_open(article):
        form.is_valid()  # so the page can show the text they typed
        return _render_form_page(request, article, form, status=403, closed=True)
    if not form.is_valid():
        return _render_form_page(request, article, form, status=400)
    data = form.cleaned_data
    ip_address = client_ip(request)
    if not throttle.comment_allowed(ip_address=ip_address, email=data["email"]):
        response = _render_form_page(
            request, article, form, status=429, template="comments/comment_throttled.html", throttled=True
        )
        response["Retry-After"] = str(throttle.retry_after_seconds())
        return response
    try:
        comment = services.comment_submit(
            article=article,
            parent=data["parent"],
            name=data["name"],
            email=data["email"],
            url=data["url"],
            body=data["body"],
            notify_replies=data["notify_replies"],
            ip_address=ip_address,
            user_agent=request.headers.get("user-agent", ""),
            honeypot=data["homepage"],
            form_age=data["form_age"],
        )
    except services.DuplicateComment:
        form.add_error(None, DUPLICATE_MESSAGE)
        return _render_form_page(request, article, form, status=400)
    response = HttpResponseRedirect(f"{article.get_absolute_url()}#comments")
    if comment.status != Comment.Status.APPROVED:
        visitor.add_own_pending(response, request, comment.pk)
    if data["remember"]:
        visitor.remember_commenter(response, name=data["name"], email=data["email"], url=data["url"])
    else:
        visitor.forget_commenter(response)
    return response


@require_GET
def comment_reply(request, comment_id):
    """The reply form on a page of its own, for readers without JavaScript."""
    parent = get_object_or_404(
        Comment.objects.approved().select_related("article").filter(article__in=Article.objects.published()),
        pk=comment_id,
    )
    article = parent.article
    initial = {"parent": parent.pk, **visitor.remembered_commenter(request)}
    form = CommentForm(article=article, initial=initial)
    if visitor.has_comment_cookies(request):
        request.reex_no_cache = True
    return render(
        request,
        "comments/comment_form.html",
        {"article": article, "form": form, "parent": parent, "closed": not comments_open(article)},
    )


@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without a token; the signed link is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop reply notifications. GET asks for confirmation, so link scanners cannot unsubscribe anyone."""
    email = services.unsubscribe_email_from_token(token)
    if email is None:
        return render(request, "comments/comment_unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.commenter_unsubscribe(email=email)
        return render(request, "comments/comment_unsubscribe.html", {"done": True})
    return render(request, "comments/comment_unsubscribe.html", {"token": token})
