"""Media in S3-compatible object storage, switched on by environment variables (moto's S3 server on loopback)."""

import io
import json
import subprocess
import sys
import textwrap

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tests.deploy.conftest import BASE_DIR, http, manage, subprocess_env
from tests.factories import make_article

SAVE_AND_DESCRIBE = textwrap.dedent(
    """
    import json
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    name = default_storage.save("ops/probe.txt", ContentFile(b"stored by app server A"))
    print(json.dumps({
        "backend": type(default_storage._wrapped).__module__ + "." + type(default_storage._wrapped).__name__,
        "name": name,
        "url": default_storage.url(name),
        "img_src": settings.SECURE_CSP["img-src"],
    }))
    """
)
READ_BACK = textwrap.dedent(
    """
    from django.core.files.storage import default_storage
    with default_storage.open("{name}") as handle:
        print(handle.read().decode())
    """
)


def _png(width=1000, height=500) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 60, 20)).save(out, format="PNG")
    return out.getvalue()


def test_s3_media_configured_by_environment_is_shared_between_app_servers(s3_endpoint, tmp_path):
    # Two "app servers" (separate processes) with the same environment and an empty local media dir each.
    media_a, media_b = tmp_path / "media-a", tmp_path / "media-b"
    env_a = subprocess_env(MEDIA_ROOT=str(media_a), **s3_endpoint.env())
    env_b = subprocess_env(MEDIA_ROOT=str(media_b), **s3_endpoint.env())

    saved = json.loads(manage("shell", "-c", SAVE_AND_DESCRIBE, env=env_a).stdout.strip().splitlines()[-1])

    assert saved["backend"] == "storages.backends.s3.S3Storage"
    assert saved["name"] == "ops/probe.txt"
    assert saved["url"] == f"{s3_endpoint.url}/{s3_endpoint.bucket}/ops/probe.txt"
    # Pages show images from the bucket, so the CSP allows that origin and no other.
    assert saved["img_src"] == ["'self'", "data:", "blob:", s3_endpoint.url]

    # Served by the object store itself, to anyone, without a signature.
    response = http(saved["url"])
    assert (response.status, response.body) == (200, "stored by app server A")

    # The other server reads it through its own storage; neither wrote anything to its local disk.
    read = manage("shell", "-c", READ_BACK.format(name=saved["name"]), env=env_b)
    assert read.stdout.strip().splitlines()[-1] == "stored by app server A"
    assert not media_a.exists() and not media_b.exists()

    head = s3_endpoint.client().head_object(Bucket=s3_endpoint.bucket, Key="ops/probe.txt")
    assert head["CacheControl"] == "public, max-age=86400"


def test_same_name_uploaded_twice_keeps_both_files(s3_endpoint):
    env = subprocess_env(**s3_endpoint.env())
    first = json.loads(manage("shell", "-c", SAVE_AND_DESCRIBE, env=env).stdout.strip().splitlines()[-1])
    second = json.loads(manage("shell", "-c", SAVE_AND_DESCRIBE, env=env).stdout.strip().splitlines()[-1])
    assert first["name"] != second["name"]
    assert http(first["url"]).status == 200 and http(second["url"]).status == 200


def test_s3_without_a_bucket_refuses_to_start(s3_endpoint):
    env = subprocess_env(**{**s3_endpoint.env(), "AWS_STORAGE_BUCKET_NAME": ""})
    result = _run_check(env)
    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME." in result.stderr


def test_unknown_media_storage_refuses_to_start():
    result = _run_check(subprocess_env(MEDIA_STORAGE="ftp"))
    assert result.returncode != 0
    assert "MEDIA_STORAGE must be local or s3, not 'ftp'." in result.stderr


def test_secret_key_can_come_from_a_file(s3_endpoint, tmp_path):
    secret_file = tmp_path / "aws_secret"
    secret_file.write_text(s3_endpoint.secret_key + "\n")
    env = {**s3_endpoint.env(), "AWS_SECRET_ACCESS_KEY_FILE": str(secret_file)}
    env.pop("AWS_SECRET_ACCESS_KEY")
    saved = json.loads(manage("shell", "-c", SAVE_AND_DESCRIBE, env=subprocess_env(**env)).stdout.splitlines()[-1])
    assert http(saved["url"]).status == 200


def _run_check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def s3_media(settings, s3_endpoint):
    """This test process's default storage pointed at the bucket, as MEDIA_STORAGE=s3 would set it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_endpoint.bucket,
                "endpoint_url": s3_endpoint.url,
                "region_name": s3_endpoint.region,
                "access_key": s3_endpoint.access_key,
                "secret_key": s3_endpoint.secret_key,
                "querystring_auth": False,
                "addressing_style": "path",
                "file_overwrite": False,
            },
        },
    }
    return s3_endpoint


@pytest.mark.django_db
def test_article_hero_image_and_its_renditions_live_in_the_bucket(s3_media):
    article = make_article()
    article.hero_image = ContentFile(_png(), name="monazite.png")
    article.save()
    article.refresh_from_db()

    keys = {
        item["Key"]
        for item in s3_media.client().list_objects_v2(Bucket=s3_media.bucket, Prefix="heroes/").get("Contents", [])
    }
    assert article.hero_image.name in keys
    assert sorted(article.hero_renditions) == ["480", "800"]  # 1200 would be an upscale of a 1000px image
    assert set(article.hero_renditions.values()) <= keys

    for path in [article.hero_image.name, *article.hero_renditions.values()]:
        url = default_storage.url(path)
        assert url.startswith(f"{s3_media.url}/{s3_media.bucket}/heroes/")
        response = http(url)
        assert response.status == 200, path
    rendition = Image.open(default_storage.open(article.hero_renditions["480"]))
    assert (rendition.format, rendition.width) == ("WEBP", 480)


def test_custom_domain_serves_media_urls_and_is_the_only_extra_image_origin(s3_endpoint):
    env = subprocess_env(**s3_endpoint.env(), AWS_S3_CUSTOM_DOMAIN="media.example.com", AWS_LOCATION="media")
    saved = json.loads(manage("shell", "-c", SAVE_AND_DESCRIBE, env=env).stdout.strip().splitlines()[-1])
    assert saved["url"] == "https://media.example.com/media/ops/probe.txt"
    assert saved["img_src"] == ["'self'", "data:", "blob:", "https://media.example.com"]
    # AWS_LOCATION put it under the prefix, in the same bucket.
    head = s3_endpoint.client().head_object(Bucket=s3_endpoint.bucket, Key=f"media/{saved['name']}")
    assert head["ContentLength"] == len(b"stored by app server A")
