"""The admin sign-in form: password, plus a two-factor code for staff who turned it on."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:
    """The user's authenticator app, if they have turned two-factor sign-in on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def verify_code(device: TOTPDevice, code: str) -> bool:
    """Check a code against a device, honouring django-otp's throttle (it backs off after failures)."""
    code = "".join((code or "").split())
    if not code.isdigit():
        return False
    with transaction.atomic():
        # select_for_update: two requests racing with one code cannot both pass
        # (verify_token refuses a code at or before the last one used).
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _ = device.verify_is_allowed()
        return bool(allowed and device.verify_token(code))


class AdminLoginForm(AdminAuthenticationForm):
    """One form for every staff member, so the page looks the same for every username.

    The code field is always shown (its presence reveals nothing about the
    account); it is only checked when the account has a confirmed device.
    """

    otp_token = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=12,
        help_text="Only if you have turned on two-factor sign-in: the 6-digit code from your authenticator app.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "otp_required": "This account uses two-factor sign-in: enter the 6-digit code from your authenticator app.",
        "otp_invalid": "That two-factor code is not right, or it has expired. Enter the code your app shows now.",
    }

    def clean(self):
        cleaned_data = super().clean()  # password check; raises the same error for unknown users
        user = self.get_user()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            return cleaned_data
        code = cleaned_data.get("otp_token") or ""
        if not code.strip():
            raise forms.ValidationError(self.error_messages["otp_required"], code="otp_required")
        if not verify_code(device, code):
            # A wrong code counts towards the lockout like a wrong password, so
            # someone holding a password cannot guess codes without limit.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        # django-otp's user_logged_in handler marks the session verified with this device.
        user.otp_device = device
        return cleaned_data
