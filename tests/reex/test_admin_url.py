"""ADMIN_URL moves the whole admin (sign-in, two-factor page); the old /admin/ is then a plain 404."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import reex.urls


@pytest.fixture
def moved_admin():
    with override_settings(ADMIN_URL="newsroom-7f3a/", LOGIN_URL="/newsroom-7f3a/login/"):
        importlib.reload(reex.urls)
        clear_url_caches()
        yield "/newsroom-7f3a/"
    importlib.reload(reex.urls)  # back to the configured URL for the other tests
    clear_url_caches()


@pytest.mark.django_db
def test_the_admin_answers_at_the_configured_url_only(client, moved_admin):
    assert client.get(f"{moved_admin}login/").status_code == 200
    index = client.get(moved_admin)
    assert index.status_code == 302
    assert index["Location"].startswith(f"{moved_admin}login/")
    assert client.get(f"{moved_admin}two-factor/")["Location"].startswith(f"{moved_admin}login/")
    for old in ("/admin/", "/admin/login/", "/admin/two-factor/", "/admin/auth/user/"):
        response = client.get(old)
        assert response.status_code == 404, old
        assert "newsroom-7f3a" not in response.content.decode()


@pytest.mark.django_db
def test_the_default_admin_url_is_back_after_the_override(client):
    assert client.get("/admin/login/").status_code == 200
