import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from crispy_forms.utils import render_crispy_form
from django import forms
from django.core.validators import URLValidator

from comments.models import Comment
from comments.moderation import FORM_MAX_AGE_SECONDS, form_age_seconds, form_timestamp


class WebsiteField(forms.URLField):
    # Only web addresses: no ftp:, and never javascript: or data:.
    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": "Enter a web address such as https://example.org."}


RELOAD_MESSAGE = "This form has expired. Please reload the page and send your comment again (your text is kept below)."


class CommentForm(forms.Form):
    """The public "Submit a Comment" form.

    Besides the visible fields it carries the parent comment for replies, a
    signed "shown at" timestamp, and a honeypot field that people never see.

    The timestamp is never rendered into a page: comments.js fetches it from
    comments:form_token when the form is first seen or focused, so a cached
    page behaves like a fresh one. A form sent without it (no JavaScript) is
    accepted and held (`form_age` None).
    """

    name = forms.CharField(max_length=80, strip=True)
    email = forms.EmailField(max_length=254, help_text="Never published.")
    url = WebsiteField(label="Website", max_length=300, required=False, assume_scheme="https")
    body = forms.CharField(
        label="Comment",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="Plain text, up to 5,000 characters. Web addresses become links.",
    )
    remember = forms.BooleanField(label="Remember my name, email and website on this browser", required=False)
    notify_replies = forms.BooleanField(label="Email me when someone replies to my comment", required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    ts = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people and screen readers; bots fill every field.
    homepage = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["url"].widget.attrs.update(autocomplete="url", placeholder="https://")
        self.fields["homepage"].widget.attrs.update(autocomplete="off", tabindex="-1")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                Div(Field("name"), css_class="col-md-6"),
                Div(Field("email"), css_class="col-md-6"),
                css_class="row",
            ),
            Field("url"),
            Field("body"),
            Field("remember"),
            Field("notify_replies"),
            Field("parent"),
            Field("ts"),
            Div(Field("homepage"), css_class="comment-hp", aria_hidden="true"),
        )
        self.helper.add_input(Submit("submit", "Post Comment"))

    def clean_name(self):
        name = self.cleaned_data["name"]
        # A name is copied into notification emails; line breaks there mean header injection.
        if any(ch in name for ch in "\r\n\x00"):
            raise forms.ValidationError("Your name must be on one line.")
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name

    def clean_email(self):
        email = self.cleaned_data["email"]
        if any(ch in email for ch in "\r\n\x00"):
            raise forms.ValidationError("Enter a valid email address.")
        return email

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n").replace("\x00", "")
        if not body.strip():
            raise forms.ValidationError("Please write a comment.")
        return body

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.approved().filter(pk=parent_id, article=self.article).first()
        if parent is None:
            # Shown above the form: a hidden field cannot show its own error.
            self.add_error(None, "The comment you are replying to is no longer available.")
        return parent

    def clean(self):
        cleaned = super().clean()
        token = self.data.get("ts", "")
        if not token:
            cleaned["form_age"] = None  # sent without JavaScript: accepted, held (comments.moderation)
            return cleaned
        age = form_age_seconds(token)
        if age is None or age > FORM_MAX_AGE_SECONDS:
            # Shown above the form (a hidden field cannot show its own error), and the
            # re-rendered form gets a fresh timestamp so sending it again works.
            self.add_error(None, RELOAD_MESSAGE)
            self.data = self.data.copy()
            self.data["ts"] = form_timestamp()
        else:
            cleaned["form_age"] = max(age, 0.0)
        return cleaned


@functools.cache
def blank_form_html() -> str:
    """The fields of an empty comment form, rendered once per process.

    Every cold article render shows this form, and crispy takes milliseconds
    to lay it out; an empty form has nothing per article or per visitor in it
    (the action URL, the token and CSRF are outside or filled by comments.js),
    so the HTML is the same every time. Forms with values or errors are
    rendered normally.
    """
    return render_crispy_form(CommentForm(article=None))


class StaffReplyForm(forms.Form):
    """An editor's reply from the admin: published at once, with a "staff" badge."""

    body = forms.CharField(
        label="Your reply",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="Plain text. Published at once under your name with a “Staff” badge.",
    )

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if not body.strip():
            raise forms.ValidationError("Please write a reply.")
        return body
