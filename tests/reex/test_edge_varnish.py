"""Through a real varnishd (deploy/varnish/reex.vcl, vmod_xkey) on loopback in front of the test server.

Varnish reaches the app through a small TCP relay the tests can cut, to take the app "down"
without stopping the test server. Purges go from the app to Varnish as the configured
backend does in production (EDGE_PURGE_VARNISH_URLS), run at commit by the test task backend.
"""

import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from articles.models import Article, Correction
from comments.models import Comment
from tests.conftest import free_port
from tests.factories import make_article, make_user

BASE_DIR = Path(__file__).resolve().parents[2]
VCL = BASE_DIR / "deploy" / "varnish" / "reex.vcl"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("varnishd") is None, reason="varnishd not installed (apt-get install varnish)"),
]


class Relay:
    """A TCP relay 127.0.0.1:port -> target; `down = True` makes it drop every connection (the app is down)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.down = False
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for each in (src, dst):
                try:
                    each.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


class Edge:
    def __init__(self, url: str, relay: Relay, workdir: str):
        self.url = url
        self.relay = relay
        self.workdir = workdir

    def probes(self) -> str:
        """The backend's last health probes, newest last ("1" = the app answered /robots.txt with 200)."""
        output = subprocess.run(
            ["varnishstat", "-n", self.workdir, "-1", "-j", "-f", "VBE.*.happy"], capture_output=True, text=True
        ).stdout
        counters = json.loads(output)
        counters = counters.get("counters", counters)
        [happy] = [c["value"] for name, c in counters.items() if name.endswith(".happy")]
        return f"{happy:064b}"

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.url + path, headers={"Accept-Encoding": "identity", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def fresh_within(self, path: str, predicate, seconds: float = 1.0) -> bool:
        """Whether a read shows what `predicate` expects within `seconds` (polled; true at once is best)."""
        deadline = time.monotonic() + seconds
        while True:
            status, _headers, body = self.get(path)
            if status == 200 and predicate(body):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


@pytest.fixture
def edge(live_server, settings, tmp_path):
    port = free_port()
    relay = Relay(int(live_server.url.rsplit(":", 1)[1]))
    vcl = VCL.read_text()
    # The one line an operator edits: the backend's address.
    vcl, count = re.subn(
        r'\.host = "127\.0\.0\.1"; \.port = "8000";', f'.host = "127.0.0.1"; .port = "{relay.port}";', vcl
    )
    assert count == 1
    (tmp_path / "reex.vcl").write_text(vcl)
    workdir = tempfile.mkdtemp(prefix="varnish-", dir="/tmp")
    log = open(tmp_path / "varnishd.log", "w")  # noqa: SIM115 (closed at teardown)
    process = subprocess.Popen(
        ["varnishd", "-F", "-j", "none", "-n", workdir, "-a", f"127.0.0.1:{port}", "-T", "none",
         "-f", str(tmp_path / "reex.vcl"), "-s", "malloc,64m"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "varnishd.log").read_text()
            time.sleep(0.1)
    settings.EDGE_PURGE_BACKENDS = {
        "varnish": {"BACKEND": "reex.edge.VarnishBackend", "OPTIONS": {"urls": [url + "/"]}}
    }
    yield Edge(url, relay, workdir)
    process.terminate()
    process.wait(10)
    relay.close()
    log.close()
    shutil.rmtree(workdir, ignore_errors=True)


def test_a_second_read_is_a_hit_and_carries_no_tags_to_readers(edge):
    article = make_article(title="Cobalt from the Copperbelt")
    first = edge.get(article.get_absolute_url())
    second = edge.get(article.get_absolute_url())
    assert (first[0], first[1]["X-Edge-Cache"]) == (200, "miss")
    assert (second[0], second[1]["X-Edge-Cache"]) == (200, "hit")
    assert second[2] == first[2]
    # Browsers get the short lifetime only; tags stay inside the edge.
    assert second[1]["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert not {"xkey", "Surrogate-Key", "Cache-Tag"} & set(second[1])


def test_tracking_parameters_and_parameter_order_share_one_object(edge):
    make_article(title="Nickel")
    assert edge.get("/archive/?b=2&a=1")[1]["X-Edge-Cache"] == "miss"
    assert edge.get("/archive/?a=1&utm_source=x&b=2&fbclid=y")[1]["X-Edge-Cache"] == "hit"
    assert edge.get("/archive/?a=1&b=3")[1]["X-Edge-Cache"] == "miss"
    # Search answers are shared at the edge too (not in the page cache).
    assert edge.get("/search/?q=nickel")[1]["X-Edge-Cache"] == "miss"
    assert edge.get("/search/?utm_medium=mail&q=nickel")[1]["X-Edge-Cache"] == "hit"


def test_publishing_makes_home_fresh_and_leaves_other_articles_cached(edge):
    editor = make_user(username="ed")
    editor.groups.add(Group.objects.get(name="Editors"))
    other = make_article(title="Graphite")
    draft = make_article(title="Tungsten tariffs", status=Article.Status.REVIEW, full_brief=True)
    edge.get("/"), edge.get(other.get_absolute_url())
    assert "Tungsten tariffs" not in edge.get("/")[2]
    assert edge.get("/")[1]["X-Edge-Cache"] == "hit"

    from articles.services import article_publish

    article_publish(article=draft, by=editor)
    assert edge.fresh_within("/", lambda body: "Tungsten tariffs" in body)
    assert edge.fresh_within(draft.get_absolute_url(), lambda body: "Tungsten tariffs" in body)
    # The publication changed the headline lists (nav): other articles' sidebars too.
    assert edge.fresh_within(other.get_absolute_url(), lambda body: "Tungsten tariffs" in body)


def test_an_edit_and_a_correction_refresh_that_article_only(edge):
    article = make_article(title="Lithium brines", bottom_line="Original text about brines.")
    unrelated = make_article(title="Manganese")
    edge.get(article.get_absolute_url()), edge.get(unrelated.get_absolute_url())

    article.bottom_line = "Revised text about evaporation ponds."
    article.save()
    assert edge.fresh_within(article.get_absolute_url(), lambda body: "evaporation ponds" in body)
    assert edge.get(unrelated.get_absolute_url())[1]["X-Edge-Cache"] == "hit"

    Correction.objects.create(article=article, text="The pond area was 12 km², not 21 km².")
    assert edge.fresh_within(article.get_absolute_url(), lambda body: "not 21 km²" in body)
    assert edge.get(unrelated.get_absolute_url())[1]["X-Edge-Cache"] == "hit"


def test_an_approved_comment_shows_at_once_and_a_pending_one_never_does(edge):
    from comments.services import comment_approve

    moderator = make_user(username="mod", is_staff=True)
    article = make_article(title="Rare earth magnets")
    comment = Comment.objects.create(article=article, name="Zoë", email="z@example.org", body="Which mines?")
    edge.get(article.get_absolute_url())
    assert "Which mines?" not in edge.get(article.get_absolute_url())[2]
    comment_approve(comment=comment, by=moderator)
    assert edge.fresh_within(article.get_absolute_url(), lambda body: "Which mines?" in body)


def test_a_staff_session_and_a_pending_comment_are_never_cached(edge, client):
    article = make_article(title="Vanadium batteries")
    staff = make_user(username="desk", is_staff=True)
    client.force_login(staff)
    session = client.cookies["sessionid"].value
    for cookie in (f"sessionid={session}", "reex_comments_pending=abc", "csrftoken=x; messages=y"):
        first = edge.get(article.get_absolute_url(), {"Cookie": cookie})
        second = edge.get(article.get_absolute_url(), {"Cookie": cookie})
        assert (first[1]["X-Edge-Cache"], second[1]["X-Edge-Cache"]) == ("miss", "miss"), cookie
        assert "private" in second[1]["Cache-Control"], cookie
    # A reader without those cookies still gets the shared copy, made without any of them.
    assert edge.get(article.get_absolute_url(), {"Cookie": "csrftoken=abc"})[1]["X-Edge-Cache"] == "miss"
    assert edge.get(article.get_absolute_url())[1]["X-Edge-Cache"] == "hit"


def test_purges_are_accepted_only_from_configured_addresses(edge):
    request = urllib.request.Request(edge.url + "/", method="PURGE", headers={"xkey-softpurge": "nav"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200  # the tests run on 127.0.0.1, which the VCL lists
    vcl = VCL.read_text()
    assert re.search(r"acl purgers \{\s*\"127\.0\.0\.1\";\s*\"::1\";\s*\}", vcl)
    assert re.search(r"client\.ip !~ purgers\) \{\s*return \(synth\(403", vcl)


def test_the_app_going_down_leaves_readers_with_stale_pages(edge):
    article = make_article(title="Copper smelters")
    assert edge.get(article.get_absolute_url())[0] == 200
    assert edge.get("/")[0] == 200
    article.title = "Copper smelters, revised"
    article.save()  # purges the article, the lists and nav (soft purge: stale copies kept for stale-if-error)
    edge.relay.down = True
    for path in (article.get_absolute_url(), "/"):
        status, _headers, body = edge.get(path)
        assert status == 200, path
        assert "Copper smelters" in body
    # A page the edge never had cannot be served stale: a short, honest 503, not Varnish's page.
    status, headers, body = edge.get("/archive/")
    assert status == 503 and headers["Retry-After"] == "30"
    assert body == "The site is briefly unavailable. Please try again in a moment."
    edge.relay.down = False
    assert edge.fresh_within(article.get_absolute_url(), lambda body: "Copper smelters, revised" in body, 3.0)


def test_a_scheduled_article_appears_at_its_time_with_no_save_to_purge_on(edge):
    from datetime import timedelta

    from django.utils import timezone

    make_article(title="Already out")
    make_article(title="Indium outlook", published_at=timezone.now() + timedelta(seconds=3))
    first = edge.get("/")
    assert "Indium outlook" not in first[2]
    assert edge.get("/")[1]["X-Edge-Cache"] == "hit"
    # The home page's edge lifetime ends at the publication time (its s-maxage), so Varnish refetches then.
    time.sleep(3)
    assert edge.fresh_within("/", lambda body: "Indium outlook" in body, 2.0)


def test_the_health_probe_passes_while_the_app_is_up_and_fails_when_it_is_down(edge):
    time.sleep(4.5)  # two probes, every 2 s
    assert edge.probes().endswith("11")
    edge.relay.down = True
    time.sleep(4.5)
    assert edge.probes().endswith("00")


def test_unpublishing_takes_the_article_off_the_edge(edge):
    from articles.services import article_unpublish

    editor = make_user(username="ed2")
    editor.groups.add(Group.objects.get(name="Editors"))
    article = make_article(title="Palladium pulled")
    assert edge.get(article.get_absolute_url())[0] == 200
    assert "Palladium pulled" in edge.get("/")[2]
    article_unpublish(article=article, by=editor)
    assert edge.fresh_within("/", lambda body: "Palladium pulled" not in body)
    deadline = time.monotonic() + 1.0
    while edge.get(article.get_absolute_url())[0] == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert edge.get(article.get_absolute_url())[0] == 404
