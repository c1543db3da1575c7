"""The writing desk of the article form: live preview, publish-gate checklist and autosave endpoints.

Mixed into ArticleAdmin (articles.admin). The page's script (static/js/article_desk.js) posts the form
to these endpoints; they answer JSON or HTML and never change the article itself.
"""

import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles import autosave, livepreview
from articles.models import Article
from articles.services import can_edit


class FocalPointField(forms.FloatField):
    """A focal-point coordinate, set by a click on the thumbnail (static/js/article_desk.js), not typed.

    Optional: a form posted without it (an older page, a script) keeps the article's current value
    (Django leaves omitted fields with a default alone), and an empty one means the centre.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0.0, max_value=1.0, **kwargs)

    def clean(self, value):
        cleaned = super().clean(value)
        return 0.5 if cleaned is None else cleaned

    def has_changed(self, initial, data):
        # Not posted: nothing changes (and history does not say it did).
        return data not in (None, "") and super().has_changed(initial, data)


class DeskAdminMixin:
    def desk_urls(self, prefix):
        wrap = self.admin_site.admin_view
        return [
            path("desk/preview/", wrap(self.live_preview_view), name=f"{prefix}_live_preview_new"),
            path("<int:pk>/desk/preview/", wrap(self.live_preview_view), name=f"{prefix}_live_preview"),
            path("desk/autosave/", wrap(self.autosave_view), name=f"{prefix}_autosave_new"),
            path("<int:pk>/desk/autosave/", wrap(self.autosave_view), name=f"{prefix}_autosave"),
        ]

    def _desk_article(self, request, pk):
        """The article being edited (a blank one for the add form), if this user may edit it."""
        if pk is None:
            if not self.has_add_permission(request):
                raise Http404
            return None
        article = self.get_queryset(request).filter(pk=pk).first()
        if article is None or not can_edit(request.user, article):
            raise Http404("No article you may edit")
        return article

    def live_preview_view(self, request, pk=None):
        from django.template.loader import render_to_string

        from articles.views import render_article

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        current = self._desk_article(request, pk) or Article(created_by=request.user)
        article, missing = livepreview.live_preview(request.POST, current=current)
        page = render_article(request, article, preview=True, preview_note="Live preview of unsaved changes.")
        checklist = [{"item": item, "ok": item not in missing} for item in livepreview.gate_items(article)]
        return JsonResponse(
            {
                "html": page.content.decode(),
                "checklist": checklist,
                "checklist_html": render_to_string("admin/articles/article/_gate.html", {"checklist": checklist}),
            }
        )

    def autosave_view(self, request, pk=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._desk_article(request, pk)
        if request.POST.get("_discard"):
            autosave.autosave_discard(article=article, user=request.user)
            return JsonResponse({"discarded": True})
        try:
            row = autosave.autosave_store(article=article, user=request.user, data=request.POST)
        except autosave.AutosaveTooLarge as exc:
            return JsonResponse({"error": str(exc)}, status=413)
        return JsonResponse({"saved_at": row.saved_at.isoformat(), "label": _saved_label(row.saved_at)})

    def desk_context(self, request, article) -> dict:
        """What the change form's script needs: its endpoints and the autosave to offer."""
        opts = self.model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        if article is None:
            urls = {"preview": reverse(f"{prefix}_live_preview_new"), "autosave": reverse(f"{prefix}_autosave_new")}
        else:
            args = [article.pk]
            urls = {
                "preview": reverse(f"{prefix}_live_preview", args=args),
                "autosave": reverse(f"{prefix}_autosave", args=args),
            }
        offer = autosave.autosave_for(article=article, user=request.user)
        recovered = None
        if offer is not None:
            recovered = {
                "data": offer.data,
                "saved_at": _saved_label(offer.saved_at),
                "stale": article is not None
                and offer.base_version is not None
                and offer.base_version != article.version,
            }
        desk = {"urls": urls, "recovered": recovered}
        # Read by the page's script from a data attribute: no inline script, even a JSON one (strict CSP).
        return {"desk": desk, "desk_json": json.dumps(desk, cls=DjangoJSONEncoder)}

    def desk_after_save(self, request, article, *, was_new):
        autosave.autosave_discard(article=article, user=request.user)
        if was_new:
            autosave.autosave_discard(article=None, user=request.user)


def _saved_label(when) -> str:
    return date_format(timezone.localtime(when), "j M Y, H:i:s")


def _hero_url(article, *, widest: int) -> str:
    from articles.templatetags.articles_reader import hero_src

    return hero_src(article, widest)


def hero_thumbnail_html(article, *, width: int, height: int):
    """A small hero thumbnail, cropped around the focal point like the pages crop it."""
    from django.utils.html import format_html

    from articles.templatetags.articles_reader import has_hero, hero_position

    if not has_hero(article):
        return ""
    return format_html(
        '<img class="reex-hero-thumb" src="{}" alt="" width="{}" height="{}" loading="lazy" '
        'style="object-fit:cover;object-position:{};border-radius:3px;display:block">',
        _hero_url(article, widest=480),
        width,
        height,
        hero_position(article),
    )


def hero_focal_picker_html(article):
    """The whole hero image with a marker on its focal point; a click moves it (article_desk.js)."""
    from django.utils.html import format_html

    return format_html(
        '<div class="reex-focal" data-focal-picker>'
        '<img src="{}" alt="The hero image: click the point that must stay in every crop">'
        '<span class="reex-focal-marker" style="left:{}%;top:{}%" aria-hidden="true"></span></div>'
        '<p class="help">Click the part of the image that must stay in view when pages crop it '
        "(a face, the subject). Then save. Now: {} across, {} down.</p>",
        _hero_url(article, widest=800),
        round(article.hero_focal_x * 100, 1),
        round(article.hero_focal_y * 100, 1),
        f"{article.hero_focal_x:.0%}",
        f"{article.hero_focal_y:.0%}",
    )
