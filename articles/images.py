"""Uploaded images: validated by opening them, re-encoded clean, and cut into WebP renditions.

An upload's name and Content-Type are chosen by whoever sends it, so neither is trusted: the file is
opened with Pillow, its real format must be JPEG, PNG, WebP or GIF, and its size is checked from the
header *before* the pixels are decoded (a 30 kB PNG can claim 144 megapixels). The stored file is a
fresh encoding of the pixels only: EXIF orientation applied, then every piece of metadata (GPS,
camera serials, comments) and anything appended after the image data (an HTML "polyglot") left behind.
"""

import io
import warnings
from pathlib import Path
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Real format -> (format to store in, file extension). GIFs are stored as PNG: one clean frame.
STORED_AS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp"), "GIF": ("PNG", "png")}
RENDITION_WIDTHS = (480, 800, 1200)
RENDITION_DIR = "renditions"

NOT_AN_IMAGE = "This file is not a JPEG, PNG, WebP or GIF image (the file itself was checked, not its name)."
BROKEN = "This image is damaged or incomplete and cannot be read. Please export it again and re-upload."


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _too_big(width: int, height: int) -> ValidationError:
    return ValidationError(
        "This image is %(width)s × %(height)s pixels (%(mp).0f megapixels); the limit is %(limit)s megapixels. "
        "Please resize it.",
        code="too_many_pixels",
        params={"width": width, "height": height, "mp": width * height / 1e6, "limit": MAX_PIXELS // 1_000_000},
    )


def _open_checked(data: bytes) -> Image.Image:
    """Open, check format and size from the header, then decode fully. Any failure is a ValidationError."""
    with warnings.catch_warnings():
        # Pillow warns above its own limit and refuses above twice that; our lower limit is checked
        # from the header right after opening, so its warning adds nothing.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ValidationError(
                "This image claims to be far too large to decode (a decompression bomb).", code="bomb"
            ) from exc
        except UnidentifiedImageError as exc:
            raise ValidationError(NOT_AN_IMAGE, code="invalid_format") from exc
        except Exception as exc:  # Pillow raises many kinds of error for hostile headers
            raise ValidationError(BROKEN, code="broken") from exc
        if image.format not in STORED_AS:
            raise ValidationError(NOT_AN_IMAGE, code="invalid_format")
        if image.width * image.height > MAX_PIXELS:
            raise _too_big(image.width, image.height)
        try:
            image.verify()  # structure and checksums, without decoding
            image = Image.open(io.BytesIO(data))
            image.load()  # a truncated file fails here
        except Exception as exc:
            raise ValidationError(BROKEN, code="broken") from exc
    return image


def clean_image_upload(upload) -> ContentFile:
    """Validate an uploaded image and return a clean re-encoding of it, ready to assign to an ImageField."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s; the limit is %(limit)s.",
            code="too_large",
            params={"size": _megabytes(size), "limit": _megabytes(MAX_BYTES)},
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError("This file is larger than %(limit)s.", params={"limit": _megabytes(MAX_BYTES)})
    image = _open_checked(data)
    stored_format, extension = STORED_AS[image.format]
    image = ImageOps.exif_transpose(image)
    if stored_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    # Nothing from the original's info (EXIF, GPS, ICC, PNG text, comments) is passed to the encoder.
    image.info = {}
    out = io.BytesIO()
    options = {"JPEG": {"quality": 88, "optimize": True}, "WEBP": {"quality": 88}, "PNG": {"optimize": True}}
    image.save(out, format=stored_format, **options[stored_format])
    stem = slugify(Path(getattr(upload, "name", "") or "image").stem)[:60] or "image"
    return ContentFile(out.getvalue(), name=f"{stem}-{uuid4().hex[:8]}.{extension}")


def make_renditions(name: str, *, storage=default_storage) -> dict[str, str]:
    """WebP copies of a stored image at RENDITION_WIDTHS (never upscaled): {"480": path, ...}.

    Made once, when the image is saved, for the page's srcset; the original is always offered too.
    """
    with storage.open(name, "rb") as fh:
        image = Image.open(fh)
        image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    base = Path(name)
    renditions = {}
    for width in RENDITION_WIDTHS:
        if width > image.width:
            continue
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        resized.save(out, format="WEBP", quality=80, method=4)
        target = str(base.parent / RENDITION_DIR / f"{base.stem}-{width}.webp")
        if storage.exists(target):
            storage.delete(target)
        renditions[str(width)] = storage.save(target, ContentFile(out.getvalue()))
    return renditions


def delete_renditions(renditions: dict, *, storage=default_storage) -> None:
    for path in (renditions or {}).values():
        if storage.exists(path):
            storage.delete(path)
