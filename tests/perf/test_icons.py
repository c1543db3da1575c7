"""The favicon and touch icons: served at the addresses browsers ask for, linked from every page, real images."""

import io
import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_favicon_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    icon = Image.open(io.BytesIO(_body(response)))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])


def test_apple_touch_icon_at_the_site_root_is_opaque_and_180px(client):
    response = client.get("/apple-touch-icon.png")
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    image = Image.open(io.BytesIO(_body(response)))
    assert (image.format, image.size, image.mode) == ("PNG", (180, 180), "RGB")


def test_pages_link_the_icons_and_the_links_resolve(client):
    for url in ("/", "/no-such-page/"):
        html = client.get(url).content.decode()
        assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in html, url
        assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in html, url
        assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in html, url
    # Static files are served from collectstatic's output, which tests do not build: read them where they are.
    assert finders.find("icons/favicon.svg").endswith(".svg")
    with open(finders.find("icons/site.webmanifest"), encoding="utf-8") as manifest:
        icons = json.load(manifest)["icons"]
    assert [icon["sizes"] for icon in icons] == ["192x192", "512x512"]
    for icon in icons:
        with Image.open(finders.find(icon["src"].removeprefix("/static/"))) as image:
            assert f"{image.size[0]}x{image.size[1]}" == icon["sizes"]


def test_a_missing_root_file_is_still_a_404(client):
    assert client.get("/favicon.png").status_code == 404
