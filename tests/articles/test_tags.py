"""Any tag name works: unicode tags get pages, feeds and sitemap entries; an unsluggable name is shown unlinked."""

from urllib.parse import quote

import pytest
from lxml import html
from taggit.models import Tag

from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = make_article(title="Japan's rare earth stockpile")
    article.tags.add("日本", "Ωmega", "---", "lithium")
    return article


def test_unicode_tags_keep_their_slugs_and_are_linked_from_the_article(client, article):
    assert dict(Tag.objects.values_list("name", "slug")) == {
        "日本": "日本",
        "Ωmega": "ωmega",
        "---": "",
        "lithium": "lithium",
    }
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    tree = html.fromstring(response.content)
    links = {a.text_content(): a.get("href") for a in tree.xpath('//nav[@class="tags"]//a[@class="tag-link"]')}
    assert links == {"日本": f"/tag/{quote('日本')}/", "Ωmega": f"/tag/{quote('ωmega')}/", "lithium": "/tag/lithium/"}
    # The tag with no slug is still named, just not linked.
    assert [s.text_content() for s in tree.xpath('//nav[@class="tags"]//span[@class="tag-link"]')] == ["---"]


@pytest.mark.parametrize("suffix", ["", "feed/", "feed/atom/"])
def test_a_unicode_tag_has_a_page_and_feeds(client, article, suffix):
    response = client.get(f"/tag/{quote('日本')}/{suffix}")
    assert response.status_code == 200
    assert article.get_absolute_url() in response.content.decode()


def test_tag_urls_refuse_a_slash_and_an_unknown_tag(client, article):
    assert client.get("/tag/a/b/").status_code == 404
    assert client.get(f"/tag/{quote('中国')}/").status_code == 404


def test_sitemap_lists_unicode_tags_and_skips_the_unsluggable_one(client, article):
    # /sitemap.xml is an index; the tags have a sitemap of their own.
    assert "/sitemap-tags.xml</loc>" in client.get("/sitemap.xml").content.decode()
    body = client.get("/sitemap-tags.xml").content.decode()
    assert f"/tag/{quote('日本')}/</loc>" in body
    assert "/tag/lithium/</loc>" in body
    assert "/tag//</loc>" not in body
