import json

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletter import emails, services, tokens
from newsletter.consent import FORM_VERSION
from newsletter.forms import SignupForm
from newsletter.models import Digest, Subscriber
from reex.client_ip import client_ip
from reex.throttle import within_limit


def _signup_throttled(request) -> bool:
    """Count this signup against the visitor's IP; True once over NEWSLETTER_SIGNUP_RATE per window."""
    # An unreachable cache counts as allowed (reex.throttle logs it): the signup is never lost.
    return not within_limit(
        f"newsletter:signup:{client_ip(request)}",
        limit=settings.NEWSLETTER_SIGNUP_RATE,
        window=settings.NEWSLETTER_SIGNUP_RATE_WINDOW,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    """The signup page; also receives the sidebar and footer forms.

    A valid signup always ends in the same redirect to the fixed thank-you page,
    whatever the state of the address, so the response reveals nothing.
    """
    if request.method == "GET":
        form = SignupForm(initial={"source": "page", "source_page": request.path})
        return render(request, "newsletter/subscriber_signup.html", {"form": form})
    if _signup_throttled(request):
        minutes = max(1, settings.NEWSLETTER_SIGNUP_RATE_WINDOW // 60)
        form = SignupForm(request.POST)
        return render(
            request,
            "newsletter/subscriber_signup.html",
            {
                "form": form,
                "throttled": f"Too many signups from your network. Please try again in {minutes} minutes.",
            },
            status=429,
        )
    form = SignupForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletter/subscriber_signup.html", {"form": form}, status=400)
    if not form.is_bot:
        services.subscriber_signup(
            email=form.cleaned_data["email"],
            name=form.cleaned_data["name"],
            source=form.cleaned_data["source"],
            source_page=form.cleaned_data["source_page"],
            form_version=FORM_VERSION,
        )
    return redirect("newsletter:thanks")


def thanks(request):
    return render(request, "newsletter/subscriber_thanks.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a "Confirm" button and changes nothing (mail scanners follow links); POST confirms."""
    subscriber = tokens.read_confirm_token(token)
    if subscriber is None or subscriber.status not in (Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED):
        return render(request, "newsletter/link_invalid.html", {"expired_confirmation": True}, status=404)
    if request.method == "POST":
        confirmed = services.subscriber_confirm(subscriber=subscriber, ip=client_ip(request))
        # Re-read: a double click may have confirmed it a moment ago (or the row may be gone).
        subscriber = Subscriber.objects.filter(pk=subscriber.pk).first()
        if subscriber is not None and (confirmed or subscriber.status == Subscriber.Status.CONFIRMED):
            return render(
                request,
                "newsletter/subscriber_confirmed.html",
                {
                    "subscriber": subscriber,
                    "manage_url": reverse("newsletter:manage", args=[tokens.manage_token(subscriber)]),
                },
            )
        return render(request, "newsletter/link_invalid.html", {"expired_confirmation": True}, status=404)
    return render(
        request,
        "newsletter/subscriber_confirm.html",
        {"subscriber": subscriber, "already": subscriber.status == Subscriber.Status.CONFIRMED},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token):
    """The subscriber's own page (linked in every email): status, download data, unsubscribe, delete."""
    subscriber = tokens.read_manage_token(token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    done = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unsubscribe":
            services.subscriber_unsubscribe(subscriber=subscriber, by="subscriber (management page)")
            done = "unsubscribed"
        elif action == "delete":
            if request.POST.get("really") != "yes":
                done = "delete_unconfirmed"
            else:
                services.subscriber_delete(subscriber=subscriber)
                return render(request, "newsletter/subscriber_deleted.html")
        subscriber = Subscriber.objects.filter(pk=subscriber.pk).first()
        if subscriber is None:  # deleted from another tab meanwhile
            return render(request, "newsletter/subscriber_deleted.html")
    return render(
        request, "newsletter/subscriber_manage.html", {"subscriber": subscriber, "token": token, "done": done}
    )


@never_cache
def manage_data(request, token):
    subscriber = tokens.read_manage_token(token)
    if subscriber is None:
        raise Http404
    body = json.dumps(services.subscriber_export(subscriber=subscriber), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="newsletter-data.json"'
    return response


@csrf_exempt  # RFC 8058: mail clients POST here with no cookie and no CSRF token.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One-click unsubscribe. GET shows a button (link scanners must not unsubscribe anyone); POST unsubscribes.

    The POST needs nothing but the signed token in the URL, always answers 200
    for a valid token, and is idempotent.
    """
    subscriber = tokens.read_manage_token(token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber, by="subscriber (one-click link)")
        return render(
            request,
            "newsletter/subscriber_unsubscribed.html",
            {"subscriber": subscriber, "manage_url": reverse("newsletter:manage", args=[token])},
        )
    return render(request, "newsletter/subscriber_unsubscribe.html", {"subscriber": subscriber, "token": token})


def archive(request):
    page = Paginator(Digest.objects.archived().prefetch_related("items__article"), 20).get_page(request.GET.get("page"))
    return render(request, "newsletter/digest_archive.html", {"page_obj": page, "digests": page.object_list})


def archive_detail(request, date):
    day = parse_date(date)
    if day is None:
        raise Http404
    digest = get_object_or_404(Digest.objects.archived(), date=day)
    context = emails.digest_context(digest)
    return render(request, "newsletter/digest_detail.html", context)


@staff_member_required
@never_cache
def preview(request, pk):
    """The digest's HTML email exactly as a subscriber will see it (staff only, drafts included)."""
    digest = get_object_or_404(Digest, pk=pk)
    sample = Subscriber(pk=0, email=request.user.email or "editor@example.com", name=request.user.get_full_name())
    message = emails.digest_message(emails.digest_rendering(digest), sample)
    html = message.alternatives[0].content
    return HttpResponse(html)
