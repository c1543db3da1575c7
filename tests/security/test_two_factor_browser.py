"""Two-factor sign-in as a staff member sees it: enrol from the admin, then sign in with a code."""

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user

# The admin's address as the settings place it (ADMIN_URL), never a hardcoded /admin/.
ADMIN = f"/{settings.ADMIN_URL}"

PASSWORD = "correct-horse-battery-42"


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


@pytest.mark.browser
def test_enrol_then_sign_in_with_a_code(live_server, page, artifacts_dir):
    staff = make_user(username="editor", password=PASSWORD, is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}{ADMIN}login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Two-factor sign-in").click()
    assert page.locator(".reex-qr svg").is_visible()
    page.screenshot(path=artifacts_dir / "security-two-factor-enrol.png", full_page=True)

    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    page.fill("#id_code", _code(device))
    page.click("text=Turn on two-factor sign-in")
    assert page.get_by_text("Two-factor sign-in is on").first.is_visible()

    # Sign out and back in: now the code is needed.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{ADMIN}login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    assert page.get_by_text("enter the 6-digit code").is_visible()
    page.screenshot(path=artifacts_dir / "security-two-factor-login.png", full_page=True)
    device.refresh_from_db()
    # A code not used before: the enrolment used the current one, so take the next step's.
    device.drift += 1
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", _code(device))
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{ADMIN}")
    assert page.get_by_role("link", name="Two-factor sign-in").is_visible()
