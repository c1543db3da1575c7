"""Purge backends against local fakes of the Fastly, Cloudflare and CloudFront APIs (their real answers,
errors and rate limits included), and the purge pipeline: one purge per transaction, after commit,
retried with backoff, never failing the save."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reex import edge
from tests.factories import make_article

pytestmark = pytest.mark.django_db


class FakeAPI:
    """An HTTP server on loopback answering each request with the next scripted (status, headers, body)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                status, headers, body = fake.answers.pop(0) if fake.answers else (500, {}, b"no answer scripted")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PURGE = do_GET = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    servers = []

    def start(*answers):
        server = FakeAPI(answers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def use(settings, name, backend, **options):
    settings.EDGE_PURGE_BACKENDS = {name: {"BACKEND": f"reex.edge.{backend}", "OPTIONS": options}}


def _json(data):
    return json.dumps(data).encode()


# --- Fastly ------------------------------------------------------------------------------


def test_fastly_soft_purges_by_surrogate_key(fake, settings):
    api = fake(
        (
            200,
            {"Content-Type": "application/json"},
            _json({"article-a": "108-1391560174-974124", "lists": "108-1391560174-974125"}),
        )
    )
    use(settings, "fastly", "FastlyBackend", service_id="SU1Z0isxPaozGVKXdv0eY", api_token="tok", api_url=api.url)
    assert edge.edge_purge(backend="fastly", tags=["article-a", "lists"]) is True
    [request] = api.requests
    assert (request["method"], request["path"]) == ("POST", "/service/SU1Z0isxPaozGVKXdv0eY/purge")
    assert request["headers"]["surrogate-key"] == "article-a lists"
    assert (request["headers"]["fastly-key"], request["headers"]["fastly-soft-purge"]) == ("tok", "1")


def test_fastly_rate_limit_is_retried_after_its_reset_and_bad_credentials_are_not(fake, settings, caplog):
    api = fake(
        (
            429,
            {"Content-Type": "application/json", "Fastly-RateLimit-Remaining": "0"},
            _json({"msg": "Rate limit exceeded"}),
        ),
        (200, {"Content-Type": "application/json"}, _json({"nav": "108-1-1"})),
        (401, {"Content-Type": "application/json"}, _json({"msg": "Provided credentials are missing or invalid"})),
    )
    use(settings, "fastly", "FastlyBackend", service_id="svc", api_token="tok", api_url=api.url)
    with caplog.at_level(logging.WARNING, logger="reex.edge"):
        # The test task backend runs the retry at once (it cannot defer); a real queue waits first.
        assert edge.edge_purge(backend="fastly", tags=["nav"]) is False
    assert len(api.requests) == 2
    assert "failed (attempt 1), retrying" in caplog.text and "HTTP 429" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="reex.edge"):
        assert edge.edge_purge(backend="fastly", tags=["nav"]) is False
    assert len(api.requests) == 3  # a 401 is not retried
    assert "failed for good (attempt 1)" in caplog.text


# --- Cloudflare --------------------------------------------------------------------------


CF_OK = {"success": True, "errors": [], "messages": [], "result": {"id": "023e105f4ecef8ad9ca31a8372d0c353"}}


def test_cloudflare_purges_tags_in_batches_of_30(fake, settings):
    api = fake(*[(200, {"Content-Type": "application/json"}, _json(CF_OK))] * 2)
    use(
        settings,
        "cloudflare",
        "CloudflareBackend",
        zone_id="023e105f4ecef8ad9ca31a8372d0c353",
        api_token="cf",
        api_url=api.url,
    )
    tags = [f"article-{n}" for n in range(31)]
    assert edge.edge_purge(backend="cloudflare", tags=tags) is True
    assert [r["path"] for r in api.requests] == ["/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache"] * 2
    assert [json.loads(r["body"])["tags"] for r in api.requests] == [tags[:30], tags[30:]]
    assert api.requests[0]["headers"]["authorization"] == "Bearer cf"


def test_cloudflare_rate_limit_waits_retry_after_and_an_error_body_is_a_failure(fake, settings, caplog):
    rate_limited = {
        "success": False,
        "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}],
        "messages": [],
        "result": None,
    }
    auth = {
        "success": False,
        "errors": [{"code": 10000, "message": "Authentication error"}],
        "messages": [],
        "result": None,
    }
    api = fake(
        (429, {"Content-Type": "application/json", "Retry-After": "7"}, _json(rate_limited)),
        (200, {"Content-Type": "application/json"}, _json(CF_OK)),
        (403, {"Content-Type": "application/json"}, _json(auth)),
    )
    use(settings, "cloudflare", "CloudflareBackend", zone_id="z", api_token="cf", api_url=api.url)
    with caplog.at_level(logging.WARNING, logger="reex.edge"):
        edge.edge_purge(backend="cloudflare", tags=["home"])
    assert "retrying in 7s" in caplog.text
    assert len(api.requests) == 2
    assert edge.edge_purge(backend="cloudflare", tags=["home"]) is False
    assert len(api.requests) == 3


def test_a_retry_is_queued_for_later_on_a_real_queue(fake, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    api = fake(
        (429, {"Retry-After": "120"}, _json({"success": False, "errors": [{"code": 971, "message": "slow down"}]}))
    )
    use(settings, "cloudflare", "CloudflareBackend", zone_id="z", api_token="cf", api_url=api.url)
    before = timezone.now()
    assert edge.edge_purge(backend="cloudflare", tags=["home"]) is False
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["kwargs"] == {"backend": "cloudflare", "tags": ["home"], "attempt": 2}
    assert 119 <= (queued.run_after - before).total_seconds() <= 125


# --- CloudFront --------------------------------------------------------------------------

CF_NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"


def _cloudfront_created(paths):
    items = "".join(f"<Path>{p}</Path>" for p in paths)
    return (
        f'<?xml version="1.0"?><Invalidation xmlns="{CF_NS}"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status>'
        f"<CreateTime>2026-12-02T14:00:00.000Z</CreateTime><InvalidationBatch><Paths><Quantity>{len(paths)}</Quantity>"
        f"<Items>{items}</Items></Paths><CallerReference>ref</CallerReference></InvalidationBatch></Invalidation>"
    ).encode()


def _cloudfront_error(code, message):
    return (
        f'<?xml version="1.0"?><ErrorResponse xmlns="{CF_NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>b5e8-4c3a</RequestId></ErrorResponse>"
    ).encode()


def _use_cloudfront(settings, api):
    use(
        settings, "cloudfront", "CloudFrontBackend", distribution_id="EDFDVBD6EXAMPLE", endpoint_url=api.url,
        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1",
    )  # fmt: skip


def test_cloudfront_invalidates_the_paths_of_the_tags(fake, settings):
    api = fake(
        (
            201,
            {"Content-Type": "text/xml", "Location": "https://x/invalidation/I2J0I21PCUYOIK"},
            _cloudfront_created(["/*"]),
        )
    )
    _use_cloudfront(settings, api)
    assert edge.edge_purge(backend="cloudfront", tags=["lists", "nav"]) is True
    [request] = api.requests
    assert (request["method"], request["path"]) == ("POST", "/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation")
    assert b"<Path>/*</Path>" in request["body"] and b"<Quantity>1</Quantity>" in request["body"]
    assert request["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/")


def test_cloudfront_article_tags_become_article_paths(fake, settings):
    article = make_article(title="Antimony", slug="antimony")
    api = fake((201, {"Content-Type": "text/xml"}, _cloudfront_created([article.get_absolute_url()])))
    _use_cloudfront(settings, api)
    assert edge.paths_for_tags([edge.article_tag("antimony")]) == ["/news/antimony/"]
    assert edge.edge_purge(backend="cloudfront", tags=[edge.article_tag("antimony")]) is True
    assert b"<Path>/news/antimony/</Path>" in api.requests[0]["body"]


def test_cloudfront_throttling_is_retried_and_access_denied_is_not(fake, settings, caplog):
    api = fake(
        (
            400,
            {"Content-Type": "text/xml"},
            _cloudfront_error(
                "TooManyInvalidationsInProgress",
                "Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.",
            ),
        ),
        (400, {"Content-Type": "text/xml"}, _cloudfront_error("Throttling", "Rate exceeded")),
        (201, {"Content-Type": "text/xml"}, _cloudfront_created(["/*"])),
        (
            403,
            {"Content-Type": "text/xml"},
            _cloudfront_error("AccessDenied", "User is not authorized to perform: cloudfront:CreateInvalidation"),
        ),
    )
    _use_cloudfront(settings, api)
    with caplog.at_level(logging.WARNING, logger="reex.edge"):
        edge.edge_purge(backend="cloudfront", tags=["nav"])
    assert len(api.requests) == 3
    assert "TooManyInvalidationsInProgress" in caplog.text and "Throttling" in caplog.text
    assert edge.edge_purge(backend="cloudfront", tags=["nav"]) is False
    assert len(api.requests) == 4


# --- the pipeline ------------------------------------------------------------------------


def test_one_save_sends_one_purge_after_commit(fake, settings, django_capture_on_commit_callbacks):
    api = fake((200, {}, b""), (200, {}, b""))
    use(settings, "varnish", "VarnishBackend", urls=[api.url + "/"])
    article = make_article(title="Bauxite", slug="bauxite")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.title = "Bauxite, revised"
        article.save()
    assert api.requests == []  # nothing before the commit: an edge refetching now would store the old page
    for callback in callbacks:
        callback()
    [request] = api.requests
    assert request["method"] == "PURGE"
    assert request["headers"]["xkey-softpurge"] == "article-bauxite lists nav"


def test_a_purge_that_cannot_be_sent_never_fails_the_save(settings, django_capture_on_commit_callbacks, caplog):
    from tests.conftest import free_port

    use(settings, "varnish", "VarnishBackend", urls=[f"http://127.0.0.1:{free_port()}/"], timeout=1)
    settings.EDGE_PURGE_MAX_ATTEMPTS = 2
    with caplog.at_level(logging.WARNING, logger="reex.edge"), django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="Gallium")
    assert article.pk is not None
    assert "failed for good (attempt 2)" in caplog.text


def test_no_backend_configured_means_no_purge_and_no_callback(settings, django_capture_on_commit_callbacks):
    settings.EDGE_PURGE_BACKENDS = {}
    with django_capture_on_commit_callbacks() as callbacks:
        make_article(title="Germanium")
    assert [c for c in callbacks if getattr(c, "__module__", "") == "reex.edge"] == []


def test_a_page_stored_between_the_invalidation_and_the_commit_is_forgotten_before_the_purge(
    fake, settings, django_capture_on_commit_callbacks
):
    from reex import pagecache

    api = fake((200, {}, b""))
    use(settings, "varnish", "VarnishBackend", urls=[api.url + "/"])
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.invalidate_lists()
        # A reader's request now would render the old rows under this generation.
        during = pagecache._generations([pagecache.LISTS_GEN])
    assert pagecache._generations([pagecache.LISTS_GEN]) == [during[0] + 1]
    assert api.requests[0]["headers"]["xkey-softpurge"] == "lists"


def test_what_each_change_purges(fake, settings, django_capture_on_commit_callbacks):
    from comments.models import Comment
    from comments.services import comment_approve, comment_remove
    from tests.factories import make_user

    api = fake(*[(200, {}, b"")] * 5)
    use(settings, "varnish", "VarnishBackend", urls=[api.url + "/"])
    with django_capture_on_commit_callbacks(execute=True):  # the setup's own purges go out here
        article = make_article(title="Tellurium", slug="tellurium")
        comment = Comment.objects.create(article=article, name="Zoë", email="z@example.org", body="Which mines?")
        moderator = make_user(username="mod", is_staff=True)
    changes = [
        lambda: comment_approve(comment=comment, by=moderator),
        lambda: comment_remove(comment=comment, by=moderator),
        lambda: article.section.__class__.objects.filter(pk=article.section_id).first().save(),
        lambda: article.authors.first().save(),
    ]
    sent = []
    for change in changes:
        before = len(api.requests)
        with django_capture_on_commit_callbacks(execute=True):
            change()
        sent.append([r["headers"]["xkey-softpurge"] for r in api.requests[before:]])
    assert sent == [
        ["article-tellurium lists"],  # a comment approved: its article, and the comment counts in lists
        ["article-tellurium lists"],  # ... and removed
        ["lists nav"],  # a section: every page's menu
        ["lists nav"],  # an author: author boxes everywhere
    ]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/purge", "gopher://127.0.0.1/"])
def test_a_purge_url_that_is_not_http_is_refused_without_opening_it(url):
    with pytest.raises(edge.PurgeError) as refused:
        edge._http("PURGE", url, headers={}, timeout=1)
    assert refused.value.permanent is True
    assert "not an http(s) URL" in str(refused.value)
