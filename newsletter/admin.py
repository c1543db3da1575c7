import csv

from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from newsletter import analytics, services
from newsletter.errors import NewsletterError
from newsletter.forms import SubscriberAdminForm, SubscriberImportForm
from newsletter.models import ConsentRecord, Delivery, Digest, DigestArticle, Subscriber
from reex.admin_paginator import ScaleAdminMixin


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "form_version", "source_page", "ip_hash"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ScaleAdminMixin, admin.ModelAdmin):
    form = SubscriberAdminForm
    list_display = ["email", "name", "status", "source", "created_at", "confirmed_at"]
    list_filter = ["status", "source", "created_at"]
    # Accent- and case-insensitive, served by trigram indexes (reex/unaccent.py).
    search_fields = ["email__unaccent_icontains", "name__unaccent_icontains", "source_page__unaccent_icontains"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "status",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "suppressed_reason",
        "delivery_problem",
        "form_version",
        "last_confirmation_sent_at",
    ]
    fields = ["email", "name", "source", "source_page", *readonly_fields]
    inlines = [ConsentInline]
    actions = ["export_csv", "unsubscribe_selected"]
    change_list_template = "newsletter/admin/subscriber_change_list.html"

    def has_add_permission(self, request):
        # New subscribers come through double opt-in or the import, which records consent.
        return False

    def changelist_view(self, request, extra_context=None):
        counts = Subscriber.objects.status_counts()
        extra_context = {
            **(extra_context or {}),
            "status_counts": [(label, counts[value], value) for value, label in Subscriber.Status.choices],
            "import_url": reverse("admin:newsletter_subscriber_import"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="newsletter_subscriber_import"),
            path("export/", self.admin_site.admin_view(self.export_all_view), name="newsletter_subscriber_export"),
            *super().get_urls(),
        ]

    def _csv(self, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "name", "status", "source", "source_page", "created_at", "confirmed_at"])
        for s in queryset.order_by("email").iterator():
            writer.writerow(
                [
                    s.email,
                    s.name,
                    s.status,
                    s.source,
                    s.source_page,
                    s.created_at.isoformat(),
                    s.confirmed_at.isoformat() if s.confirmed_at else "",
                ]
            )
        return response

    @admin.action(description="Export selected subscribers as CSV")
    def export_csv(self, request, queryset):
        return self._csv(queryset)

    @admin.action(description="Unsubscribe selected subscribers")
    def unsubscribe_selected(self, request, queryset):
        changed = sum(services.subscriber_unsubscribe(subscriber=s, by=request.user) for s in queryset)
        self.message_user(request, f"{changed} subscriber(s) unsubscribed.", messages.SUCCESS)

    def export_all_view(self, request):
        """CSV of the current changelist (its filters and search apply)."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        changelist = self.get_changelist_instance(request)
        return self._csv(changelist.get_queryset(request))

    def import_view(self, request):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        form = SubscriberImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = services.subscriber_import(
                rows=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                consent_source=form.cleaned_data["consent_source"],
                by=request.user,
            )
            self.message_user(
                request,
                f"Imported {result.created} new address(es); {result.existing} already on the list were left "
                f"unchanged; {result.confirmations_sent} confirmation email(s) queued.",
                messages.SUCCESS,
            )
            if form.invalid_rows:
                self.message_user(
                    request,
                    f"Skipped {len(form.invalid_rows)} invalid row(s): {'; '.join(form.invalid_rows[:20])}",
                    messages.WARNING,
                )
            return HttpResponseRedirect(reverse("admin:newsletter_subscriber_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Import subscribers",
        }
        return TemplateResponse(request, "newsletter/admin/subscriber_import.html", context)


class DigestArticleInline(admin.TabularInline):
    model = DigestArticle
    extra = 0
    raw_id_fields = ["article"]
    fields = ["position", "article"]
    ordering = ["position"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "subject",
        "status",
        "auto_send",
        "queued",
        "sent",
        "failed",
        "bounced",
        "preview_link",
    ]
    list_filter = ["status", "auto_send"]
    search_fields = ["subject"]
    date_hierarchy = "date"
    readonly_fields = ["status", "covers_from", "covers_until", "send_started_at", "sent_at", "sent_by", "stats"]
    fields = ["date", "subject", "editor_note", "auto_send", *readonly_fields]
    inlines = [DigestArticleInline]
    actions = ["send_now", "send_test_to_me"]
    change_list_template = "newsletter/admin/digest_change_list.html"
    change_form_template = "newsletter/admin/digest_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_delivery_stats()

    @admin.display(description="queued", ordering="queued_count")
    def queued(self, obj):
        return obj.queued_count + obj.sending_count

    @admin.display(description="sent", ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description="failed", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    @admin.display(description="bounced", ordering="bounced_count")
    def bounced(self, obj):
        return obj.bounced_count

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html('<a href="{}" target="_blank" rel="noopener">Preview</a>', obj_preview_url(obj))

    @admin.display(description="Deliveries")
    def stats(self, obj):
        return (
            f"{obj.queued_count + obj.sending_count} queued, {obj.sent_count} sent, {obj.failed_count} failed, "
            f"{obj.bounced_count} bounced, {obj.skipped_count} skipped (left before their turn)"
        )

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.status != Digest.Status.DRAFT:
            # What went out is what the archive shows: no edits after sending starts.
            return [*self.readonly_fields, "date", "subject", "editor_note", "auto_send"]
        return self.readonly_fields

    def has_add_permission(self, request):
        # Digests are built from the articles since the previous one ("Build today's digest").
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Digest.Status.DRAFT

    def get_inline_instances(self, request, obj=None):
        if obj and obj.status != Digest.Status.DRAFT:
            return []
        return super().get_inline_instances(request, obj)

    def get_urls(self):
        return [
            path("build/", self.admin_site.admin_view(self.build_view), name="newsletter_digest_build"),
            path("analytics/", self.admin_site.admin_view(self.analytics_view), name="newsletter_digest_analytics"),
            path("<int:pk>/send/", self.admin_site.admin_view(self.send_view), name="newsletter_digest_send"),
            path("<int:pk>/test/", self.admin_site.admin_view(self.test_view), name="newsletter_digest_test"),
            *super().get_urls(),
        ]

    def analytics_view(self, request):
        """Per-digest outcomes and the list's last 90 days, as charts (newsletter/analytics.py)."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        digests = list(Digest.objects.exclude(status=Digest.Status.DRAFT).order_by("-date")[:20])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Newsletter analytics",
            "digest_rows": [(digest, analytics.digest_stats(digest)) for digest in digests],
            "series": analytics.list_series(),
        }
        return TemplateResponse(request, "newsletter/admin/analytics.html", context)

    def build_view(self, request):
        if request.method != "POST" or not self.has_change_permission(request):
            return redirect("admin:newsletter_digest_changelist")
        digest = services.digest_build()
        if digest is None:
            self.message_user(request, "No articles were published since the last digest: nothing to build.")
            return redirect("admin:newsletter_digest_changelist")
        return redirect("admin:newsletter_digest_change", digest.pk)

    def send_view(self, request, pk):
        """GET asks "send to N subscribers?"; the POST from that page sends."""
        digest = get_object_or_404(Digest, pk=pk)
        if not self.has_change_permission(request, digest):
            return redirect("admin:newsletter_digest_change", pk)
        if request.method == "POST":
            self._send(request, digest)
            return redirect("admin:newsletter_digest_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": digest,
            "title": f"Send “{digest.subject}”?",
            "recipients": Subscriber.objects.confirmed().count(),
            "article_count": digest.items.count(),
        }
        return TemplateResponse(request, "newsletter/admin/digest_send_confirm.html", context)

    def test_view(self, request, pk):
        digest = get_object_or_404(Digest, pk=pk)
        if request.method == "POST" and self.has_view_permission(request, digest):
            self._send_test(request, digest)
        return redirect("admin:newsletter_digest_change", pk)

    def _send(self, request, digest):
        try:
            created = services.digest_send(digest=digest, by=request.user)
        except NewsletterError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        if created:
            self.message_user(request, f"Sending “{digest.subject}” to {created} subscribers.", messages.SUCCESS)
        else:
            self.message_user(request, f"“{digest.subject}” was already being sent; nothing was added.")

    def _send_test(self, request, digest):
        if not request.user.email:
            self.message_user(request, "Your account has no email address; add one to receive tests.", messages.ERROR)
            return
        try:
            services.digest_send_test(digest=digest, to=request.user.email)
        except NewsletterError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"Test sent to {request.user.email}.", messages.SUCCESS)

    @admin.action(description="Send selected digests to all subscribers now")
    def send_now(self, request, queryset):
        for digest in queryset:
            self._send(request, digest)

    @admin.action(description="Send a test of the selected digests to me")
    def send_test_to_me(self, request, queryset):
        for digest in queryset:
            self._send_test(request, digest)


def obj_preview_url(obj):
    return reverse("newsletter:preview", kwargs={"pk": obj.pk})


@admin.register(Delivery)
class DeliveryAdmin(ScaleAdminMixin, admin.ModelAdmin):
    list_display = ["digest", "subscriber", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "digest"]
    search_fields = ["subscriber__email"]
    list_select_related = ["digest", "subscriber"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
