"""Small things that cost editors time: a new author from the byline row, history in editors' words."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Author
from tests.articles.admin_helpers import article_post_data, existing_rows
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("group", ["Writers", "Editors"])
def test_the_byline_row_offers_to_create_an_author(group):
    user = make_user(username=f"{group.lower()}-1", groups=[group], is_staff=True)
    html = logged_in(user).get(reverse("admin:articles_article_add")).content.decode()
    assert 'id="add_id_bylines-0-author"' in html
    assert reverse("admin:articles_author_add") + "?_to_field=id&amp;_popup=1" in html


def test_a_writer_creates_an_author_in_the_popup_and_it_comes_back_to_the_byline():
    writer = make_user(username="writer-popup", groups=["Writers"], is_staff=True)
    url = reverse("admin:articles_author_add") + "?_to_field=id&_popup=1"
    client = logged_in(writer)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "Zoë Ångström-Núñez", "slug": "zoe-angstrom-nunez", "bio": "", "_popup": "1", "_to_field": "id"}
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    author = Author.objects.get()
    assert (author.name, author.slug) == ("Zoë Ångström-Núñez", "zoe-angstrom-nunez")
    html = response.content.decode()
    assert "data-popup-response" in html
    assert f"&quot;value&quot;: &quot;{author.pk}&quot;" in html


def test_a_writer_may_not_change_or_delete_authors():
    writer = make_user(username="writer-no-change", groups=["Writers"], is_staff=True)
    author = Author.objects.create(name="Existing Person", slug="existing-person")
    client = logged_in(writer)
    assert client.get(reverse("admin:articles_author_change", args=[author.pk])).status_code == 200  # view only
    client.post(reverse("admin:articles_author_change", args=[author.pk]), {"name": "Renamed", "slug": "renamed"})
    assert client.post(reverse("admin:articles_author_delete", args=[author.pk]), {"post": "yes"}).status_code == 403
    author.refresh_from_db()
    assert author.name == "Existing Person"


def test_history_names_changed_fields_by_their_labels(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from tests.articles.test_images import image_bytes, upload

    editor = make_user(username="editor-history", groups=["Editors"], is_staff=True)
    article = make_article(title="Labels please", status=Article.Status.DRAFT)
    data = article_post_data(
        article=article,
        inlines=existing_rows(article),
        hero_image=upload(image_bytes("PNG", size=(900, 500))),
        hero_alt="A mine",
        hero_credit="Source: test",
    )
    client = logged_in(editor)
    assert client.post(reverse("admin:articles_article_change", args=[article.pk]), data).status_code == 302
    message = LogEntry.objects.get(object_id=str(article.pk)).get_change_message()
    assert message == "Changed Hero image, Hero alt text and Hero credit."
    assert Version.objects.get_for_object(article).first().revision.get_comment() == message
    history = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert "Changed Hero image, Hero alt text and Hero credit." in history
    assert "hero_image" not in history
