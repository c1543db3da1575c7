"""Hostile uploads through the admin, end to end: refused with a form error, or re-encoded without the payload.

tests/articles/test_images.py covers the validator itself (bombs, PDF/SVG named
.jpg, truncated files, appended-HTML polyglots). Here: what those tests leave
out, sent as an editor would — EPS named .jpg, HTML hidden *inside* an image's
own chunks and metadata, the 20000×20000 bomb through the form — and a check
of every file left in MEDIA_ROOT afterwards.
"""

import io
import struct
import zlib

import pytest
from django.urls import reverse
from PIL import Image

from articles.models import Article
from tests.articles.admin_helpers import article_post_data
from tests.articles.test_images import bomb_png, image_bytes, png_chunk, upload
from tests.factories import make_user

pytestmark = pytest.mark.django_db
HTML = b"<html><body><script>alert(document.cookie)</script><img src=x onerror=alert(1)></body></html>"


def _png_with_text_chunk() -> bytes:
    png = image_bytes("PNG", size=(800, 450))
    # A tEXt chunk right after IHDR: a real, valid PNG whose bytes carry a whole HTML page.
    ihdr_end = 8 + 25
    return png[:ihdr_end] + png_chunk(b"tEXt", b"Comment\x00" + HTML) + png[ihdr_end:]


def _jpeg_with_comment_and_exif() -> bytes:
    image = Image.new("RGB", (800, 450), (30, 90, 160))
    exif = Image.Exif()
    exif[0x010E] = HTML.decode()  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=HTML)
    return out.getvalue()


def _gif_with_html() -> bytes:
    out = io.BytesIO()
    Image.new("P", (400, 300), 3).save(out, format="GIF", comment=HTML)
    return out.getvalue() + HTML


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n"
    b"/Helvetica findfont 12 scalefont setfont 10 10 moveto (x) show showpage\n%%EOF\n"
)
REFUSED = {
    "eps-named-jpg": (EPS, "photo.jpg", "not a JPEG, PNG, WebP or GIF image"),
    "html-named-jpg": (HTML, "photo.jpg", "not a JPEG, PNG, WebP or GIF image"),
    "bomb-12000": (bomb_png(12000, 12000), "map.png", "the limit is 40 megapixels"),
    "bomb-20000": (bomb_png(20000, 20000), "map.png", "decompression bomb"),
    "truncated-gif": (_gif_with_html()[:60], "x.gif", "errorlist"),  # any clear form error
}
RE_ENCODED = {
    "png-text-chunk": (_png_with_text_chunk(), "chart.png"),
    "jpeg-comment-exif": (_jpeg_with_comment_and_exif(), "photo.jpg"),
    "gif-comment-and-tail": (_gif_with_html(), "anim.gif"),
    "png-html-tail-named-html": (image_bytes("PNG", size=(800, 450)) + HTML, "page.html"),
}


@pytest.fixture
def editor(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = make_user(username="upload-editor", groups=["Editors"], is_staff=True)
    client.force_login(user)
    return user


def _stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.parametrize("case", REFUSED)
def test_hostile_files_are_refused_with_a_form_error(client, editor, tmp_path, case):
    data, name, message = REFUSED[case]
    post = article_post_data(title=f"Upload {case}", hero_alt="x", hero_credit="y", hero_image=upload(data, name))
    response = client.post(reverse("admin:articles_article_add"), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Article.objects.count() == 0
    assert _stored_files(tmp_path) == []  # nothing of the refused file was written


@pytest.mark.parametrize("case", RE_ENCODED)
def test_images_carrying_html_are_stored_re_encoded_without_it(client, editor, tmp_path, case):
    data, name = RE_ENCODED[case]
    assert b"<script" in data
    post = article_post_data(title=f"Upload {case}", hero_alt="x", hero_credit="y", hero_image=upload(data, name))
    response = client.post(reverse("admin:articles_article_add"), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    files = _stored_files(tmp_path)
    assert len(files) >= 1 + len(article.hero_renditions)
    for path in files:
        stored = path.read_bytes()
        assert b"<script" not in stored.lower() and b"<html" not in stored.lower() and b"onerror" not in stored
        # Stored under an image extension, never .html, whatever the upload was called.
        assert path.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".webp"), path.name
        Image.open(path).verify()


def test_author_photo_polyglot_is_cleaned_too(client, editor, tmp_path):
    data = _png_with_text_chunk()
    response = client.post(
        reverse("admin:articles_author_add"),
        {"name": "Ada", "slug": "ada", "bio": "", "photo": upload(data, "ada.png")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    for path in _stored_files(tmp_path):
        assert b"<script" not in path.read_bytes()


def test_png_chunk_helper_builds_valid_pngs():
    # Guard for the polyglot builder above: Pillow reads it and sees the text chunk.
    image = Image.open(io.BytesIO(_png_with_text_chunk()))
    image.load()
    assert image.info["Comment"].startswith("<html>")
    assert struct.unpack(">I", _png_with_text_chunk()[8:12])[0] == 13
    assert zlib.crc32(b"") == 0
