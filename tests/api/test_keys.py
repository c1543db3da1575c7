"""Content API keys: editors create and revoke them in the admin; keys are checked and rate limited per key."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from api.models import ApiKey, key_digest
from api.services import api_key_create, api_key_revoke
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user(username="keyeditor", groups=["Editors"], is_staff=True)
    client.force_login(user)
    return user


def test_an_editor_creates_a_key_and_sees_its_secret_once(client, editor):
    response = client.post(reverse("admin:api_apikey_add"), {"name": "Mining Weekly syndication", "rate_limit": "50"})
    assert response.status_code == 302
    key = ApiKey.objects.get()
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "<code>" in str(m)]
    secret = message.split("<code>")[1].split("</code>")[0]
    assert (key.name, key.rate_limit, key.created_by, key.prefix) == (
        "Mining Weekly syndication",
        50,
        editor,
        secret[:8],
    )
    assert key.digest == key_digest(secret) and secret not in key.digest
    make_article(slug="visible")
    assert client.get(f"/api/v1/articles/?key={secret}").status_code == 200
    # Shown on the page after saving, and never again.
    assert secret in client.get(response["Location"]).content.decode()
    assert secret not in client.get(reverse("admin:api_apikey_change", args=[key.pk])).content.decode()


def test_an_editor_revokes_a_key_and_it_stops_working(client, editor, settings):
    settings.API_ANONYMOUS = False
    key, secret = api_key_create(name="Old partner")
    assert client.get(f"/api/v1/sections/?key={secret}").status_code == 200
    response = client.post(
        reverse("admin:api_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_by == editor and key.revoked_at is not None
    refused = client.get(f"/api/v1/sections/?key={secret}")
    assert refused.status_code == 401
    assert refused.json() == {
        "errors": [{"code": "unauthorized", "message": "The key is unknown or revoked.", "parameter": "key"}]
    }


def test_revoking_is_idempotent():
    key, _ = api_key_create(name="Twice")
    assert api_key_revoke(api_key=key) is True
    first = key.revoked_at
    assert api_key_revoke(api_key=key) is False
    key.refresh_from_db()
    assert key.revoked_at == first


def test_writers_cannot_manage_keys(client):
    client.force_login(make_user(username="keywriter", groups=["Writers"], is_staff=True))
    assert client.get(reverse("admin:api_apikey_changelist")).status_code == 403


def test_anonymous_access_can_be_switched_off(client, settings):
    settings.API_ANONYMOUS = False
    response = client.get("/api/v1/articles/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "This API needs a key: add ?key=..."
    assert client.get("/api/v1/articles/?key=made-up").status_code == 401
    _, secret = api_key_create(name="Partner")
    assert client.get(f"/api/v1/articles/?key={secret}").status_code == 200
    # The document says so too: no anonymous alternative in the security requirements.
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/articles/"]["get"]
    assert operation["security"] == [{"ContentKey": []}]


def test_anonymous_access_is_the_default_and_documented(client):
    assert client.get("/api/v1/articles/").status_code == 200
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/articles/"]["get"]
    assert operation["security"] == [{"ContentKey": []}, {}]


def test_each_key_has_its_own_rate_limit(client, settings):
    settings.API_RATE_WINDOW_SECONDS = 3600
    _, slow = api_key_create(name="Slow", rate_limit=2)
    _, fast = api_key_create(name="Fast", rate_limit=5)
    assert [client.get(f"/api/v1/sections/?key={slow}").status_code for _ in range(3)] == [200, 200, 429]
    limited = client.get(f"/api/v1/sections/?key={slow}")
    assert limited.json()["errors"][0]["code"] == "rate_limited"
    assert limited["Retry-After"] == "3600"
    assert [client.get(f"/api/v1/sections/?key={fast}").status_code for _ in range(6)] == [200] * 5 + [429]


def test_anonymous_callers_are_limited_per_address(client, settings):
    settings.API_RATE_WINDOW_SECONDS = 3600
    settings.API_ANONYMOUS_RATE_LIMIT = 2
    statuses = [client.get("/api/v1/sections/", REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/sections/", REMOTE_ADDR="203.0.113.10").status_code == 200
