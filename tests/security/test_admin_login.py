"""Admin sign-in: brute-force lockout on the real client IP, one answer for every username, two-factor codes."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user

# The admin's address as the settings place it (ADMIN_URL), never a hardcoded /admin/.
ADMIN = f"/{settings.ADMIN_URL}"

PASSWORD = "correct-horse-battery-42"
LOGIN = f"{ADMIN}login/"


@pytest.fixture
def staff():
    return make_user(username="editor", password=PASSWORD, is_staff=True)


def _login(client, username, password, *, token="", **headers):
    return client.post(LOGIN, {"username": username, "password": password, "otp_token": token}, **headers)


def _fail(client, n, **headers):
    for _ in range(n):
        response = _login(client, "editor", "wrong-password", **headers)
        assert response.status_code == 200  # the form again, with an error


# --- Lockout ---------------------------------------------------------------------


@pytest.mark.django_db
def test_lockout_after_the_failure_limit_even_with_the_right_password(client, staff, settings):
    _fail(client, settings.AXES_FAILURE_LIMIT - 1, REMOTE_ADDR="198.51.100.7")
    # One short of the limit the right password still works ...
    assert _login(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.logout()
    # ... and success reset the count, so it takes the full limit again.
    _fail(client, settings.AXES_FAILURE_LIMIT - 1, REMOTE_ADDR="198.51.100.7")
    _login(client, "editor", "wrong", REMOTE_ADDR="198.51.100.7")
    locked = _login(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert settings.SITE_NAME in html  # the branded error layout
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_without_proxies_a_spoofed_forwarded_for_header_neither_dodges_nor_resets(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "editor", "wrong", REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    # A fresh forged header from the same socket address is still locked out.
    response = _login(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429
    # Forging the *victim's* address in the header does not lock the victim out either.
    ok = _login(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert ok.status_code == 302


@pytest.mark.django_db
def test_behind_one_proxy_the_lockout_keys_on_the_address_the_proxy_saw(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.1.1.1"}
    for i in range(settings.AXES_FAILURE_LIMIT):
        # The client prepends junk to the header; our proxy appends the real address last.
        _login(client, "editor", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.5", **proxy)
    spoofed = _login(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.5", **proxy)
    assert spoofed.status_code == 429
    # Another visitor behind the same proxy is not affected.
    other = _login(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5, 203.0.113.6", **proxy)
    assert other.status_code == 302


# --- The same answer for every username ---------------------------------------------


def _normalised(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r"nonce-[A-Za-z0-9+/=_-]+|nonce=\"[^\"]+\"", "NONCE", html)
    # The username is echoed back into its field; blank it so only the page differs.
    return re.sub(r'name="username" value="[^"]*"', 'name="username"', html)


@pytest.mark.django_db
def test_unknown_user_and_wrong_password_get_the_same_page(client, staff):
    make_user(username="reader", password=PASSWORD)  # exists, but is not staff
    wrong_password = _login(client, "editor", "not-it", REMOTE_ADDR="198.51.100.20")
    unknown_user = _login(client, "nobody-here", "not-it", REMOTE_ADDR="198.51.100.21")
    not_staff = _login(client, "reader", PASSWORD, REMOTE_ADDR="198.51.100.22")
    assert wrong_password.status_code == unknown_user.status_code == not_staff.status_code == 200
    assert _normalised(wrong_password) == _normalised(unknown_user) == _normalised(not_staff)
    assert "Please enter the correct username and password for a staff account" in wrong_password.content.decode()


@pytest.mark.django_db
def test_unknown_users_are_locked_out_like_real_ones(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "ghost", "x", REMOTE_ADDR="198.51.100.30")
    assert _login(client, "ghost", "x", REMOTE_ADDR="198.51.100.30").status_code == 429


# --- Two-factor sign-in --------------------------------------------------------------


def _code(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now, computed from the device's key (RFC 6238)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


@pytest.mark.django_db
def test_staff_enrol_an_authenticator_app_and_then_need_a_code(client, staff):
    client.force_login(staff)
    page = client.get(f"{ADMIN}two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code
    assert "otpauth://totp/" in html
    device = TOTPDevice.objects.get(user=staff, confirmed=False)

    wrong = client.post(f"{ADMIN}two-factor/", {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    # Django-otp backs off after a failure; a real user waits a moment, the test resets it.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post(f"{ADMIN}two-factor/", {"code": _code(device)}, follow=True)
    assert "Two-factor sign-in is on" in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    client.logout()

    # From now on the password alone is not enough ...
    no_code = _login(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.40")
    assert no_code.status_code == 200
    assert "enter the 6-digit code" in no_code.content.decode()
    assert "_auth_user_id" not in client.session
    # ... nor a wrong code ...
    bad = _login(client, "editor", PASSWORD, token="123456" if _code(device) != "123456" else "654321")
    assert bad.status_code == 200
    assert "That two-factor code is not right" in bad.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_right_code_signs_in_and_marks_the_session_verified(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    code = _code(device)
    response = _login(client, "editor", PASSWORD, token=code)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    # The same code cannot be replayed for a second sign-in. (Reuse `code` itself: computing it again
    # could cross a 30-second step and produce a new, legitimately valid code.)
    client.logout()
    replay = _login(client, "editor", PASSWORD, token=code)
    assert replay.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_lockout(client, staff, settings):
    device = TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    wrong = "123456" if _code(device) != "123456" else "654321"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        _login(client, "editor", PASSWORD, token=wrong, REMOTE_ADDR="198.51.100.50")
    assert _login(client, "editor", PASSWORD, token=_code(device), REMOTE_ADDR="198.51.100.50").status_code == 429


@pytest.mark.django_db
def test_staff_without_a_device_sign_in_with_the_password_only(client, staff):
    other = make_user(username="other", password=PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=other, name="Phone", confirmed=True)
    TOTPDevice.objects.create(user=staff, name="Half-enrolled", confirmed=False)  # never confirmed: not required
    response = _login(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_someone_elses_code_does_not_work(client, staff):
    other = make_user(username="other", password=PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    theirs = TOTPDevice.objects.create(user=other, name="Phone", confirmed=True)
    mine = TOTPDevice.objects.get(user=staff)
    if _code(theirs) == _code(mine):  # one chance in a million
        pytest.skip("codes collide")
    assert _login(client, "editor", PASSWORD, token=_code(theirs)).status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_turning_two_factor_off_needs_a_current_code(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    client.force_login(staff)
    page = client.get(f"{ADMIN}two-factor/")
    assert "Two-factor sign-in is on" in page.content.decode()
    assert client.post(f"{ADMIN}two-factor/", {"code": "abc"}).status_code == 200
    assert TOTPDevice.objects.filter(user=staff).exists()
    done = client.post(f"{ADMIN}two-factor/", {"code": _code(device)}, follow=True)
    assert "Two-factor sign-in is off" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


@pytest.mark.django_db
def test_the_enrolment_page_needs_a_staff_sign_in(client):
    response = client.get(f"{ADMIN}two-factor/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{ADMIN}login/")
    reader = make_user(username="reader2")
    client.force_login(reader)
    assert client.get(f"{ADMIN}two-factor/").status_code == 302


@pytest.mark.django_db
def test_the_device_admin_does_not_show_other_peoples_secrets(admin_client):
    device = TOTPDevice.objects.create(user=User.objects.get(username="admin"), name="Phone", confirmed=True)
    page = admin_client.get(f"{ADMIN}otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert admin_client.get(f"{ADMIN}otp_totp/totpdevice/{device.pk}/config/").status_code == 403


def test_codes_change_every_step():
    # Guard for _code(): the helper really computes RFC 6238 codes from the key.
    # RFC 6238's SHA-1 vector at T=59 s is step 1 of the RFC 4226 HOTP sequence: 94287082.
    assert hotp(b"12345678901234567890", 1, digits=8) == 94287082
