from django.http import HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article
from comments import services, tasks, throttle, trust, visitor
from comments.errors import CommentError
from comments.forms import CommentForm
from comments.models import Comment, CommenterTrust, comments_open
from comments.moderation import form_timestamp
from reex.client_ip import client_ip


def _render_form_page(request, article, form, *, status, template="comments/comment_form.html", **extra):
    """Show the form again with the visitor's entries, an error summary and what to fix."""
    request.reex_no_cache = True  # the page now holds the visitor's email
    context = {"article": article, "form": form, "parent": getattr(form, "cleaned_data", {}).get("parent"), **extra}
    return render(request, template, context, status=status)


@never_cache
@require_GET
def form_token(request):
    """The per-visitor parts of the comment form: the signed "shown at" time and a CSRF token.

    Fetched by comments.js when the form is first seen or focused, so cached
    article pages carry neither and the time trap counts from this moment.
    """
    return JsonResponse({"ts": form_timestamp(), "csrf": get_token(request)})


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
    trusted = trust.is_trusted(proof=trust.proof_from_request(request), name=data["name"], email=data["email"])
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
            trusted=trusted,
        )
    except CommentError as exc:
        form.add_error(None, exc.message)
        return _render_form_page(request, article, form, status=400)
    tasks.comment_submitted_enqueue(comment, trusted=trusted)
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


@require_POST
@never_cache
def comment_report(request, comment_id):
    """A reader reports an approved comment; it goes back to the queue past the editors' threshold."""
    comment = get_object_or_404(Comment.objects.approved().select_related("article"), pk=comment_id)
    ip_address = client_ip(request)
    context = {"comment": comment, "article": comment.article}
    if not throttle.report_allowed(ip_address=ip_address):
        response = render(request, "comments/comment_report.html", {**context, "throttled": True}, status=429)
        response["Retry-After"] = str(throttle.REPORTS_WINDOW_SECONDS)
        return response
    services.comment_report(comment_id=comment.pk, ip_address=ip_address)
    return render(request, "comments/comment_report.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def trust_confirm(request, token):
    """The "confirm it's you" link. GET asks for a click (link scanners must not confirm); POST sets the proof."""
    link = trust.confirmation_from_token(token)
    if link is None:
        return render(request, "comments/trust_confirm.html", {"invalid": True}, status=400)
    if request.method == "GET":
        return render(request, "comments/trust_confirm.html", {"name": link["n"], "email": link["e"]})
    try:
        record = trust.commenter_trust_confirm(token=token)
    except CommentError as exc:
        return render(request, "comments/trust_confirm.html", {"error": exc.message}, status=400)
    response = render(request, "comments/trust_confirm.html", {"done": True, "trust": record})
    trust.set_proof_cookie(response, record)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def commenter_settings(request, token):
    """What the site holds about a commenter's trust, and a button to withdraw it (link in every email to them)."""
    email = trust.email_from_settings_token(token)
    if email is None:
        return render(request, "comments/commenter_settings.html", {"invalid": True}, status=400)
    withdrawn = False
    if request.method == "POST":
        withdrawn = trust.commenter_trust_withdraw(email=email)
    context = {
        "email": email,
        "trust": CommenterTrust.objects.filter(email=email).first(),
        "withdrawn": withdrawn,
        "unsubscribe_url": reverse("comments:unsubscribe", args=[services.unsubscribe_token(email)]),
    }
    return render(request, "comments/commenter_settings.html", context)


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
