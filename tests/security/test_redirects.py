"""Every `next=` redirect stays on this site (reex.redirects.safe_next and the admin's own views)."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import RequestFactory

from reex.redirects import safe_next
from tests.factories import make_user
from tests.security.redirect_payloads import EVIL_NEXT, SAFE_NEXT

# The admin's address as the settings place it (ADMIN_URL), never a hardcoded /admin/.
ADMIN = f"/{settings.ADMIN_URL}"

PASSWORD = "correct-horse-battery-42"


def _stays_here(location: str) -> bool:
    parts = urlsplit(location)
    return parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver") and "\\" not in location


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_safe_next_refuses_other_hosts_and_schemes(target):
    for request in (RequestFactory().get("/x/", {"next": target}), RequestFactory().post("/x/", {"next": target})):
        assert safe_next(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", SAFE_NEXT)
def test_safe_next_keeps_local_paths(target):
    assert safe_next(RequestFactory().get("/x/", {"next": target}), "/fallback/") == target


def test_safe_next_without_a_value_uses_the_fallback():
    assert safe_next(RequestFactory().get("/x/"), "/fallback/") == "/fallback/"
    assert safe_next(RequestFactory().get("/x/", {"next": "  "}), "/fallback/") == "/fallback/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL_NEXT)
def test_admin_login_never_redirects_off_site(client, target):
    make_user(username="editor", password=PASSWORD, is_staff=True)
    response = client.post(f"{ADMIN}login/?next={target}", {"username": "editor", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}"


@pytest.mark.django_db
@pytest.mark.parametrize("target", SAFE_NEXT[1:])
def test_admin_login_follows_a_local_next(client, target):
    make_user(username="editor", password=PASSWORD, is_staff=True)
    response = client.post(f"{ADMIN}login/", {"username": "editor", "password": PASSWORD, "next": target})
    assert response["Location"] == target


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL_NEXT)
def test_admin_logout_never_redirects_off_site(client, target):
    client.force_login(make_user(username="editor", is_staff=True))
    response = client.post(f"{ADMIN}logout/?next={target}", {"next": target})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert _stays_here(response["Location"]), response["Location"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_page_with_an_evil_next_does_not_echo_it_into_a_link(client):
    response = client.get(f"{ADMIN}login/", {"next": "javascript:alert(1)"})
    assert response.status_code == 200
    assert 'href="javascript:' not in response.content.decode()
