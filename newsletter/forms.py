import csv
import io
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from newsletter.addresses import INVALID_MESSAGE, normalise_email, validate_address
from newsletter.consent import CONSENT_TEXT, CONSENT_TEXTS, FORM_VERSION
from newsletter.models import Subscriber

__all__ = ["CONSENT_TEXT", "CONSENT_TEXTS", "FORM_VERSION"]  # defined in newsletter/consent.py

NAME_CONTROL_CHARACTERS_MESSAGE = "Please enter your name on one line, without line breaks or control characters."


def name_problem(name: str) -> str:
    """Why a subscriber name cannot be kept, or "" when it can.

    The name becomes the display name in the To: header of every email, where a
    line break is a header injection (and fails that subscriber's message), so
    control characters and Unicode line/paragraph separators are refused at every
    way in: the signup form, the CSV import and the admin.
    """
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name):
        return NAME_CONTROL_CHARACTERS_MESSAGE
    return ""


def validate_name(name: str) -> None:
    if problem := name_problem(name):
        raise ValidationError(problem, code="control_characters")


class InternationalEmailFormField(forms.EmailField):
    """Accepts international addresses (newsletter/addresses.py) and returns them normalised.

    The input is type="text" with inputmode="email": browsers refuse a non-ASCII
    local part in type="email" before the form is even sent.
    """

    default_validators = [validate_address]
    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": INVALID_MESSAGE})
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) if value else value

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "email", "spellcheck": "false"}


class SignupForm(forms.Form):
    email = InternationalEmailFormField(
        label="Email address",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
    )
    name = forms.CharField(
        label="Name (optional)",
        max_length=150,
        required=False,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Your name (optional)"}),
    )
    # A field people never see; bots fill every input. A filled honeypot gets the normal
    # "thank you" response and nothing else happens.
    website = forms.CharField(required=False, label="Leave this field empty")
    source = forms.ChoiceField(
        choices=[(c, c) for c in ("sidebar", "footer", "page")], required=False, widget=forms.HiddenInput
    )
    source_page = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_source(self):
        return self.cleaned_data.get("source") or Subscriber.Source.PAGE

    def clean_source_page(self):
        page = (self.cleaned_data.get("source_page") or "").strip()
        # Only our own paths: this value is shown to editors and stored as consent evidence.
        if not page.startswith("/") or page.startswith("//"):
            return ""
        return page[:500]

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class SubscriberAdminForm(forms.ModelForm):
    """The admin's subscriber form: the name follows the same rule as at signup."""

    class Meta:
        model = Subscriber
        fields = ["email", "name", "source", "source_page"]  # the editable ones (SubscriberAdmin.fields)
        field_classes = {"email": InternationalEmailFormField}

    def clean_name(self):
        name = self.cleaned_data.get("name") or ""
        validate_name(name)
        return name


class SubscriberImportForm(forms.Form):
    class Mode:
        SEND_CONFIRMATION = "send_confirmation"
        CONSENTED = "consented"

    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with a header row containing an 'email' column and optionally a 'name' column.",
    )
    mode = forms.ChoiceField(
        choices=[
            (Mode.SEND_CONFIRMATION, "Send each new address a confirmation email (double opt-in)"),
            (Mode.CONSENTED, "They already consented elsewhere: subscribe them now and record where"),
        ],
        widget=forms.RadioSelect,
        initial=Mode.SEND_CONFIRMATION,
    )
    consent_source = forms.CharField(
        label="Where did they consent?",
        max_length=500,
        required=False,
        help_text='Required for "already consented", e.g. "Signup sheet, Critical Minerals Expo, 2026-10-14".',
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text. Export it from your spreadsheet as CSV UTF-8.") from None
        reader = csv.DictReader(io.StringIO(text))
        fields = [name.strip().lower() for name in reader.fieldnames or []]
        if "email" not in fields:
            raise ValidationError("The first row must be a header with an 'email' column.")
        reader.fieldnames = fields
        rows, invalid = [], []
        for line, row in enumerate(reader, start=2):
            email = normalise_email(row.get("email") or "")
            try:
                validate_address(email)
            except ValidationError:
                invalid.append(f"line {line}: {row.get('email') or '(empty)'}")
                continue
            name = (row.get("name") or "").strip()[:150]
            if name_problem(name):  # same rule as the signup form: reported, not imported
                invalid.append(f"line {line}: {row.get('email')} (the name has a line break or control character)")
                continue
            rows.append((email, name))
        if not rows and not invalid:
            raise ValidationError("The file has no rows.")
        self.invalid_rows = invalid
        return rows

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.Mode.CONSENTED and not (cleaned.get("consent_source") or "").strip():
            self.add_error("consent_source", "Say where these people consented; it is stored as their consent record.")
        return cleaned
