import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import MAX_BYTES, clean_image_upload
from tests.factories import make_article


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(fmt="PNG", size=(1600, 900), color=(200, 80, 40), **save):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def upload(data: bytes, name="hero.png"):
    return SimpleUploadedFile(name, data, content_type="image/png")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width=12000, height=12000) -> bytes:
    """A real, valid 1-bit PNG of width x height: 144 megapixels in about 20 kB, built without decoding it."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def errors_of(data, name="hero.png"):
    with pytest.raises(ValidationError) as exc:
        clean_image_upload(upload(data, name))
    return exc.value.messages


def test_decompression_bomb_is_refused_before_decoding():
    data = bomb_png()
    assert len(data) < 100_000
    assert errors_of(data) == [
        "This image is 12000 × 12000 pixels (144 megapixels); the limit is 40 megapixels. Please resize it."
    ]


def test_a_bomb_past_pillows_own_limit_is_refused_too():
    assert errors_of(bomb_png(20000, 20000)) == [
        "This image claims to be far too large to decode (a decompression bomb)."
    ]


def test_fake_extension_pdf_named_jpg():
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    assert errors_of(pdf, "photo.jpg") == [
        "This file is not a JPEG, PNG, WebP or GIF image (the file itself was checked, not its name)."
    ]


def test_fake_extension_svg_named_jpg():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
    assert errors_of(svg, "photo.jpg") == [
        "This file is not a JPEG, PNG, WebP or GIF image (the file itself was checked, not its name)."
    ]


def test_a_real_format_outside_the_list_is_refused():
    assert errors_of(image_bytes("BMP"), "x.png")[0].startswith("This file is not a JPEG, PNG, WebP or GIF")


def test_truncated_image_is_a_form_error_not_a_crash():
    data = image_bytes("JPEG", quality=95)
    assert errors_of(data[: len(data) // 2], "x.jpg") == [
        "This image is damaged or incomplete and cannot be read. Please export it again and re-upload."
    ]
    png = image_bytes("PNG")
    assert errors_of(png[:200]) == [
        "This image is damaged or incomplete and cannot be read. Please export it again and re-upload."
    ]


def test_oversized_file_is_refused_by_bytes():
    data = image_bytes("PNG", size=(64, 64)) + b"\0" * (MAX_BYTES + 1024 * 1024)
    assert errors_of(data) == ["This file is 16.0 MB; the limit is 15.0 MB."]


def test_png_html_polyglot_is_stored_without_the_html():
    data = image_bytes("PNG", size=(640, 360)) + b"<html><script>alert(document.cookie)</script></html>"
    clean = clean_image_upload(upload(data, "poly.png"))
    stored = clean.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).format == "PNG"


def test_metadata_including_gps_is_stripped_and_orientation_applied():
    image = Image.new("RGB", (300, 100), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    assert b"SpyCam" in out.getvalue()
    clean = clean_image_upload(upload(out.getvalue(), "IMG_0001.JPG")).read()
    stored = Image.open(io.BytesIO(clean))
    assert (stored.format, stored.size) == ("JPEG", (100, 300))
    assert dict(stored.getexif()) == {}
    assert b"SpyCam" not in clean and b"secret comment" not in clean
    assert "exif" not in stored.info and "comment" not in stored.info


def test_gif_and_webp_are_accepted():
    gif = clean_image_upload(upload(image_bytes("GIF", size=(50, 50)), "a.gif"))
    webp = clean_image_upload(upload(image_bytes("WEBP", size=(50, 50)), "b.webp"))
    assert gif.name.endswith(".png") and webp.name.endswith(".webp")
    assert gif.name.startswith("a-")


@pytest.mark.django_db
def test_renditions_are_made_once_on_save_and_never_upscaled(media):
    article = make_article()
    article.hero_image = clean_image_upload(upload(image_bytes("PNG", size=(1000, 500))))
    article.save()
    article.refresh_from_db()
    assert sorted(article.hero_renditions, key=int) == ["480", "800"]
    path = article.hero_renditions["800"]
    with Image.open(media / path) as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (800, 400))
    before = dict(article.hero_renditions)
    article.title = "Edited title"
    article.save()
    article.refresh_from_db()
    assert article.hero_renditions == before  # an ordinary save does not cut them again


@pytest.mark.django_db
def test_replacing_the_hero_replaces_its_renditions(media):
    article = make_article()
    article.hero_image = clean_image_upload(upload(image_bytes("PNG", size=(1400, 700))))
    article.save()
    old = dict(article.hero_renditions)
    assert sorted(old, key=int) == ["480", "800", "1200"]
    article.hero_image = clean_image_upload(upload(image_bytes("JPEG", size=(600, 300)), "b.jpg"))
    article.save()
    assert list(article.hero_renditions) == ["480"]
    assert all(not (media / path).exists() for path in old.values())
    article.hero_image = None
    article.save()
    assert article.hero_renditions == {}


@pytest.mark.django_db
def test_author_photo_upload_is_validated_in_the_admin(client):
    from django.urls import reverse

    from articles.models import Author
    from tests.factories import make_user

    client.force_login(make_user(groups=["Editors"], is_staff=True))
    data = {"name": "Ann", "slug": "ann", "bio": "", "user": "", "photo": upload(b"%PDF-1.4 not a photo", "me.jpg")}
    response = client.post(reverse("admin:articles_author_add"), data)
    assert response.status_code == 200
    assert "not a JPEG, PNG, WebP or GIF image" in response.content.decode()
    data["photo"] = upload(image_bytes("JPEG", size=(400, 400)), "me.jpg")
    assert client.post(reverse("admin:articles_author_add"), data).status_code == 302
    assert Author.objects.get().photo.name.startswith("authors/me-")
