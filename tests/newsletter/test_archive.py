import pytest
from django.utils import timezone

from newsletter import services
from newsletter.models import Digest
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def test_archive_lists_sent_digests_only(client):
    make_article(title="Archived brief")
    sent = services.digest_build(day=timezone.localdate() - timezone.timedelta(days=1))
    Digest.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    make_article(title="Draft digest brief")
    draft = services.digest_build()
    assert draft.status == "draft"

    page = client.get("/newsletter/archive/").content.decode()
    assert sent.subject in page
    assert draft.subject not in page

    detail = client.get(sent.get_absolute_url())
    assert detail.status_code == 200
    assert "Archived brief" in detail.content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/newsletter/archive/not-a-date/").status_code == 404


def test_preview_is_for_staff_and_shows_drafts(client):
    make_article(title="Preview me")
    digest = services.digest_build()
    assert client.get(f"/newsletter/preview/{digest.pk}/").status_code == 302  # to the login page
    client.force_login(make_user(is_staff=True, email="ed@example.org"))
    response = client.get(f"/newsletter/preview/{digest.pk}/")
    assert response.status_code == 200
    assert "Preview me" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
