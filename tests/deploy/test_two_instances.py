"""Two app servers, one PostgreSQL, one Redis: what an editor does on one is what readers get from both.

Two gunicorn instances run with production settings (DEBUG off, hashed static files collected per
server, behind a TLS-terminating balancer as far as Django can tell) on different ports. They share a
database of their own (created and migrated for this folder), Redis database 13 under a key prefix
unique to the run (the page cache is on) and an S3 bucket (moto). Instance B also has
DATABASE_REPLICA_URL set, pointing at the same database, so the read-replica routing runs inside a real
server too. The editor works in the admin over HTTP.
"""

import json
import re
import sys
import textwrap
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookies import SimpleCookie

import pytest

from tests.deploy.conftest import (
    HTTPResponse,
    ProcessGroup,
    free_port,
    http,
    manage,
    redis_delete,
    redis_or_skip,
    subprocess_env,
    wait_for,
)

PASSWORD = "ops-h7-Password-for-tests-2026"
SETUP = textwrap.dedent(
    """
    import json
    from django.contrib.auth import get_user_model
    from articles.models import Article
    from comments.models import Comment
    from tests.factories import add_full_brief, make_article, make_author, make_section, make_source

    def brief(title, slug, **extra):
        # Every name unique to the run: the database is shared by the tests of this folder.
        article = make_article(title=title, slug=slug, section=make_section(name="Desk " + slug, slug=slug),
                               authors=[make_author(name="Author " + slug, slug=slug)], **extra)
        return add_full_brief(article, source=make_source(title="Source " + slug, doi="10.5555/" + slug))

    get_user_model().objects.create_superuser("editor-{run}", "editor-{run}@example.com", "{password}")
    def with_hero(article, name, colour):
        # Stored by this process in the bucket; the app servers only ever see it there.
        import io
        from django.core.files.base import ContentFile
        from PIL import Image
        png = io.BytesIO()
        Image.new("RGB", (900, 450), colour).save(png, format="PNG")
        article.hero_image = ContentFile(png.getvalue(), name=name)
        article.hero_alt, article.hero_credit = "A plain test card", "Reex tests"
        article.save()
        return article

    waiting = with_hero(brief("Waiting brief {run}", "waiting-{run}", status=Article.Status.REVIEW),
                        "hero-{run}.png", (20, 90, 160))
    live = with_hero(brief("Live brief {run}", "live-{run}"), "live-{run}.png", (160, 90, 20))
    comment = Comment.objects.create(article=live, name="Reader {run}", email="reader-{run}@example.com",
                                     body="Comment body {run} awaiting moderation")
    print(json.dumps({{"waiting": [waiting.pk, waiting.get_absolute_url()],
                      "live": [live.pk, live.get_absolute_url()], "comment": comment.pk}}))
    """
)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # AdminSession follows redirects itself, with the cookies the redirect set


class AdminSession:
    """A staff member's browser behind the TLS-terminating load balancer: cookies, CSRF, sign-in, actions.

    The servers run with production settings, so cookies are Secure and CSRF checks the Referer of a
    secure request. The balancer's `X-Forwarded-Proto: https` is sent, and cookies are kept by hand
    (urllib's cookie jar would not return Secure cookies over the plain-HTTP loopback hop).
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.origin = "https://" + base_url.removeprefix("http://")
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirects())

    def _open(self, path: str, data: dict | None = None) -> HTTPResponse:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": self.origin + path,
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                result = HTTPResponse(response.status, dict(response.headers), response.read().decode())
                set_cookies = response.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as error:
            result = HTTPResponse(error.code, dict(error.headers), error.read().decode())
            set_cookies = error.headers.get_all("Set-Cookie") or []
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if result.status in (301, 302, 303):
            location = urllib.parse.urlsplit(result.headers["Location"])
            return self._open(location.path + (f"?{location.query}" if location.query else ""))
        return result

    def csrf_token(self, page: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def sign_in(self, username: str, password: str) -> None:
        page = self._open("/admin/login/?next=/admin/")
        response = self._open(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": self.csrf_token(page.body), "username": username, "password": password},
        )
        assert response.status == 200 and "Log out" in response.body, response.body[:2000]

    def run_action(self, changelist: str, action: str, pk: int) -> HTTPResponse:
        page = self._open(changelist)
        assert page.status == 200, page.body[:2000]
        return self._open(
            changelist,
            {
                "csrfmiddlewaretoken": self.csrf_token(page.body),
                "action": action,
                "_selected_action": [str(pk)],
                "index": "0",
            },
        )


@pytest.fixture(scope="module")
def two_instances(deploy_database, s3_endpoint, tmp_path_factory, request):
    """Both servers, started once for the tests of this module (each test uses its own articles)."""
    redis_url = redis_or_skip()
    tmp_path = tmp_path_factory.mktemp("two-instances")
    processes = ProcessGroup(log_dir=tmp_path)
    failures_before = request.session.testsfailed
    run = uuid.uuid4().hex[:10]
    prefix = f"reex-h7-{run}"
    common = {
        **s3_endpoint.env(),
        "DATABASE_URL": deploy_database,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        # Every app server must share one SECRET_KEY: sessions, CSRF and signed links cross servers.
        "SECRET_KEY": f"shared-by-every-app-server-{run}-0123456789abcdefghijklmnopqrstuvwxyz",
        "PAGE_CACHE_ENABLED": "true",
        "LOG_LEVEL": "WARNING",
        # Production settings, behind a load balancer that terminates TLS.
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://news.example.com",
        "SECURE_PROXY_SSL_HEADER": "true",
        "SECURE_SSL_REDIRECT": "false",
    }
    setup = manage("shell", "-c", SETUP.format(run=run, password=PASSWORD), env=subprocess_env(**common))
    data = json.loads(setup.stdout.strip().splitlines()[-1])

    urls, var_dirs = {}, {}
    try:
        for name, extra in (("a", {}), ("b", {"DATABASE_REPLICA_URL": deploy_database})):
            port = free_port()
            # Each server's own var/ and media dir: after the tests they must hold no file at all.
            var_dirs[name] = tmp_path / f"var-{name}"
            extra = {**extra, "REEX_VAR_DIR": str(var_dirs[name]), "MEDIA_ROOT": str(var_dirs[name] / "media")}
            # The release step on each server: hashed, compressed static files in its own var/static.
            manage("collectstatic", "--noinput", env=subprocess_env(**common, **extra))
            processes.start(
                f"gunicorn_{name}",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "reex.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                    "--timeout",
                    "60",
                    "--no-control-socket",
                ],
                subprocess_env(**common, **extra),
            )
            urls[name] = f"http://127.0.0.1:{port}"
        for url in urls.values():
            assert wait_for(lambda url=url: http(f"{url}/healthz").status == 200, timeout=90), processes.dump_logs()
            assert json.loads(http(f"{url}/healthz").body)["checks"] == {"database": "ok", "cache": "ok"}
        yield {"run": run, "urls": urls, "s3": s3_endpoint, **data}
    finally:
        processes.stop_all()
        if request.session.testsfailed > failures_before:
            print(processes.dump_logs())
        redis_delete(redis_url, f"{prefix}:*")
    # Stateless: nothing a request did was kept on an app server's disk; var/ holds only the static
    # files collectstatic put there at release time.
    for var in var_dirs.values():
        assert [path.name for path in var.iterdir()] == ["static"]


def _read(url: str) -> HTTPResponse:
    """An anonymous reader: no cookies, so the page cache applies."""
    return http(url)


def test_publishing_on_one_server_shows_fresh_on_the_other(two_instances):
    a, b = two_instances["urls"]["a"], two_instances["urls"]["b"]
    run = two_instances["run"]
    waiting_pk, waiting_url = two_instances["waiting"]

    # Readers on B: the article under review is not there, and B's home page is now cached without it.
    assert _read(b + waiting_url).status == 404
    first_home = _read(b + "/")
    assert first_home.status == 200 and f"Waiting brief {run}" not in first_home.body
    assert _read(b + "/").headers.get("X-Page-Cache") == "hit"

    editor = AdminSession(a)
    editor.sign_in(f"editor-{run}", PASSWORD)
    result = editor.run_action("/admin/articles/article/", "publish_selected", waiting_pk)
    assert "1 article published." in result.body, result.body[:3000]

    article_on_b = _read(b + waiting_url)
    assert article_on_b.status == 200
    assert f"Waiting brief {run}" in article_on_b.body
    # Its image comes from the bucket, which the page's CSP allows, and the bucket serves it.
    s3 = two_instances["s3"]
    images = sorted(set(re.findall(rf'{re.escape(s3.url)}/{s3.bucket}/heroes/[^"\s,]+', article_on_b.body)))
    assert [url.rsplit("/", 1)[-1] for url in images] == [
        f"hero-{run}-480.webp",
        f"hero-{run}-800.webp",
    ]
    assert all(http(url).status == 200 for url in images)
    img_src = next(p for p in article_on_b.headers["Content-Security-Policy"].split(";") if "img-src" in p)
    assert img_src.split() == ["img-src", "'self'", "data:", "blob:", s3.url]
    # B's cached home page was invalidated through the shared cache, not left to expire.
    assert f"Waiting brief {run}" in _read(b + "/").body
    assert f"Waiting brief {run}" in _read(a + "/").body


def test_approving_a_comment_on_one_server_refreshes_the_cached_page_on_both(two_instances):
    a, b = two_instances["urls"]["a"], two_instances["urls"]["b"]
    run = two_instances["run"]
    _, live_url = two_instances["live"]
    body = f"Comment body {run} awaiting moderation"

    # Both servers have the article page cached, without the pending comment.
    for server in (a, b):
        assert body not in _read(server + live_url).body
        cached = _read(server + live_url)
        assert cached.headers.get("X-Page-Cache") == "hit" and body not in cached.body

    editor = AdminSession(b)
    editor.sign_in(f"editor-{run}", PASSWORD)
    result = editor.run_action("/admin/comments/comment/", "approve_selected", two_instances["comment"])
    assert "1 comment approved." in result.body, result.body[:3000]

    for server in (a, b):
        page = _read(server + live_url)
        assert page.status == 200
        assert body in page.body, server


@pytest.mark.browser
def test_a_reader_browser_shows_the_hero_image_from_the_bucket(two_instances, page, artifacts_dir):
    b = two_instances["urls"]["b"]
    _, live_url = two_instances["live"]
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )

    page.goto(b + live_url)
    hero = page.locator("figure.hero img")
    hero.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())
    page.screenshot(path=str(artifacts_dir / "deploy-hero-from-bucket.png"))

    source = hero.evaluate("img => img.currentSrc")
    s3 = two_instances["s3"]
    assert source.startswith(f"{s3.url}/{s3.bucket}/heroes/")
    assert blocked == []
