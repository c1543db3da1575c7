"""The share links of an article in the admin: make one, list them, revoke one.

Mixed into ArticleAdmin (articles.admin); the writes are articles.sharing's services. Only editors
(can_edit_any) make and revoke links, as only they could hand out the old signed links.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles import sharing
from articles.services import can_edit_any


class ShareLinkForm(forms.Form):
    MODES = [
        ("pinned", "This version: the reviewer reads the text as saved now, whatever is edited later"),
        ("latest", "Always the latest: the reviewer sees each saved edit"),
    ]
    mode = forms.ChoiceField(choices=MODES, initial="pinned", widget=forms.RadioSelect, label="What the link shows")
    lifetime_days = forms.TypedChoiceField(coerce=int, label="Works for", help_text="Revoke it any time before.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sharing.lifetime_choices()
        self.fields["lifetime_days"].choices = [(n, f"{n} day{'s' if n != 1 else ''}") for n in choices]
        self.fields["lifetime_days"].initial = max(1, sharing.share_max_age().days)


class ShareLinksAdminMixin:
    def share_urls(self, prefix):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/share/", wrap(self.share_view), name=f"{prefix}_share"),
            path("<int:pk>/share/<int:link_id>/revoke/", wrap(self.share_revoke_view), name=f"{prefix}_share_revoke"),
        ]

    def share_links_context(self, request, article) -> dict:
        if not can_edit_any(request.user):
            return {}
        return {"share_links": list(article.share_links.select_related("created_by", "revoked_by", "revision"))}

    def _shareable_article(self, request, pk):
        article = self._article_or_404(request, pk)
        if not can_edit_any(request.user):
            raise PermissionDenied
        return article

    def share_view(self, request, pk):
        article = self._shareable_article(request, pk)
        form = ShareLinkForm(request.POST or None)
        link = url = None
        if request.method == "POST" and form.is_valid():
            link, token = sharing.share_link_create(
                article=article,
                by=request.user,
                pinned=form.cleaned_data["mode"] == "pinned",
                lifetime=timedelta(days=form.cleaned_data["lifetime_days"]),
            )
            url = request.build_absolute_uri(reverse("articles:preview_shared", kwargs={"token": token}))
        context = self._context(
            request,
            article,
            title=f"Share a preview: {article.title}",
            form=form,
            link=link,
            link_url=url,
            note=sharing.share_link_note(link) if link else "",
            **self.share_links_context(request, article),
        )
        return TemplateResponse(request, "admin/articles/article/share_link.html", context)

    def share_revoke_view(self, request, pk, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._shareable_article(request, pk)
        link = get_object_or_404(article.share_links, pk=link_id)
        sharing.share_link_revoke(link=link, by=request.user)
        self.message_user(
            request, f"The share link …{link.token_hint} is revoked; it no longer opens.", messages.SUCCESS
        )
        back = reverse("admin:articles_article_share", args=[article.pk])
        if request.POST.get("back") == "change":
            back = reverse("admin:articles_article_change", args=[article.pk]) + "#share-links"
        return HttpResponseRedirect(back)
