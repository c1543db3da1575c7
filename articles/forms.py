"""Admin forms for articles, sources and authors."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from taggit.models import Tag
from taggit.utils import parse_tags

from articles.citations import source_fields_from_bibtex, source_fields_from_ris
from articles.images import clean_image_upload
from articles.models import Article, Author, Source

IMAGE_HELP = "JPEG, PNG, WebP or GIF; at most 15 MB and 40 megapixels. Metadata (including GPS) is removed."


class CheckedImageField(forms.FileField):
    """A file field whose upload must really be an image (opened with Pillow) and is stored re-encoded."""

    widget = AdminFileWidget

    def to_python(self, data):
        upload = super().to_python(data)
        return clean_image_upload(upload) if upload is not None else None


class ArticleAdminForm(forms.ModelForm):
    # The version the editor started from; a save from an older version is a conflict (see clean()).
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
        help_text="Minerals, companies, countries, technologies. Start typing to find an existing tag.",
    )
    new_tags = forms.CharField(
        required=False,
        label="New tags",
        help_text="Tags that do not exist yet, comma separated (e.g. “Lynas, heavy rare earths”).",
    )
    hero_image = CheckedImageField(required=False, help_text=IMAGE_HELP)

    class Media:
        # Live preview under each Markdown field (intro, bottom line, findings, free sections).
        js = ["js/admin_markdown_preview.js"]

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "section",
            "tags",
            "featured",
            "allow_comments",
            "hero_image",
            "hero_alt",
            "hero_caption",
            "hero_credit",
            "intro",
            "bottom_line",
            "published_at",
            "significant_update_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        if "intro" in self.fields:
            # Where static/js/admin_markdown_preview.js sends the Markdown fields' text to be rendered.
            self.fields["intro"].widget.attrs["data-markdown-preview"] = reverse("articles:markdown-preview")
        # Headlines and standfirsts are read whole; give them room.
        for name, rows in (("title", None), ("standfirst", 3), ("intro", 10), ("bottom_line", 5)):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"style": "width: min(100%, 48em)"})
                if rows:
                    self.fields[name].widget.attrs["rows"] = rows

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._check_version(cleaned.get("expected_version"))
        if (
            "published_at" in self.fields
            and self.instance.status == Article.Status.PUBLISHED
            and not cleaned.get("published_at")
        ):
            self.add_error(
                "published_at",
                "A published or scheduled article needs a publication time. To take it off the site, use Unpublish.",
            )
        if "tags" in self.fields:
            cleaned["tags"] = [*cleaned.get("tags", []), *parse_tags(cleaned.get("new_tags") or "")]
        if "hero_image" in self.fields:
            image = cleaned.get("hero_image")
            if image and not (cleaned.get("hero_alt") or "").strip() and "hero_alt" in self.fields:
                self.add_error(
                    "hero_alt", "Describe what the image shows, for readers who cannot see it (required with an image)."
                )
        return cleaned

    def _check_version(self, expected):
        """Refuse a save that did not start from the stored version; the editor's input stays on the form.

        The row is locked (the admin runs the whole change view in one transaction), so two saves that
        both started from version N cannot both pass this check.
        """
        current = (
            Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
        )
        if current is None or expected == current:
            self.instance.version = current or self.instance.version
            return
        last = _last_saver(self.instance)
        raise ValidationError(
            "Someone else saved this article while you were editing it%(who)s. Nothing was saved, so their work "
            "is not overwritten. Your changes are still in the form below: open the article in a new tab, "
            "bring your changes across, and save there. (You started from version %(expected)s; it is now "
            "version %(current)s.)",
            code="conflict",
            params={"who": last, "expected": expected if expected is not None else "unknown", "current": current},
        )


def _last_saver(article) -> str:
    from reversion.models import Version

    version = Version.objects.get_for_object(article).select_related("revision__user").first()
    if version is None or version.revision.user is None:
        return ""
    when = date_format(timezone.localtime(version.revision.date_created), "j M Y, H:i")
    return f" ({version.revision.user.get_username()}, {when})"


class WorkflowForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Optional. Kept in the article's history, e.g. what needs fixing.",
    )


class PublishForm(WorkflowForm):
    at = forms.SplitDateTimeField(
        required=False,
        label="Publication time",
        widget=admin.widgets.AdminSplitDateTime,
        help_text="Leave empty to publish now. A future time schedules the article; it appears by itself then.",
    )


class SourceAdminForm(forms.ModelForm):
    paste = forms.CharField(
        required=False,
        label="Paste BibTeX or RIS",
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80, "spellcheck": "false"}),
        help_text="Paste one entry exported from the journal, Zotero or Google Scholar and save: the fields "
        "below are filled from it (what you typed yourself is replaced by the entry's values).",
    )

    class Meta:
        model = Source
        fields = [
            "kind",
            "authors",
            "year",
            "title",
            "container",
            "publisher",
            "institution",
            "volume",
            "issue",
            "pages",
            "doi",
            "url",
            "evidence",
            "citation_key",
        ]
        widgets = {"authors": forms.Textarea(attrs={"rows": 4, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "doi" in self.fields:
            # For "Fill from DOI" (static/js/admin_source_doi.js): where to ask, and which source this is.
            self.fields["doi"].widget.attrs.update(
                {
                    "data-lookup-url": reverse("admin:articles_source_lookup_doi"),
                    "data-source-pk": self.instance.pk or "",
                }
            )
            self.fields["doi"].help_text += " “Fill from DOI” fills the fields below from Crossref or DataCite."
        self.paste_error = None
        self.pasted = False
        text = (self.data.get("paste") or "").strip() if self.is_bound else ""
        if text:
            # Fill the record before the fields are validated, so "title is required" never hides the paste.
            try:
                fields = parse_citation(text)
            except ValidationError as exc:
                self.paste_error = exc
            else:
                data = self.data.copy()
                for name, value in fields.items():
                    if name in self.fields and value not in ("", None):
                        data[name] = value
                self.data = data
                self.pasted = True

    def clean_paste(self):
        if self.paste_error is not None:
            raise self.paste_error
        return ""


def parse_citation(text: str) -> dict:
    """Source fields from a pasted BibTeX entry or RIS record, whichever it is."""
    stripped = text.lstrip()
    if stripped.startswith("@"):
        return source_fields_from_bibtex(text)
    if stripped[:2].isalpha() and stripped[2:6].startswith("  -"):
        return source_fields_from_ris(text)
    raise ValidationError(
        "This is neither a BibTeX entry (it starts with “@article{” or similar) nor a RIS record "
        "(it starts with “TY  - ”).",
        code="unknown_format",
    )


class AuthorAdminForm(forms.ModelForm):
    photo = CheckedImageField(required=False, help_text=IMAGE_HELP)

    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "photo", "user"]
