"""A local fake of the Akismet REST API (https://akismet.com/developers/), on 127.0.0.1.

It answers like the real service: comment-check says "true" or "false" (with
`X-akismet-pro-tip: discard` for blatant spam), "invalid" for a wrong key,
submit-spam/submit-ham thank you, and it can fail (HTTP 500, or hang past the
client's timeout). Every request is recorded with its form fields.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

THANKS = "Thanks for making the web a better place."


@dataclass
class FakeAkismet:
    url: str = ""
    key: str = "fake-key-123"
    # What comment-check answers: "true", "false", "discard", "error" (HTTP 500) or "slow" (past the timeout).
    answer: str = "false"
    requests: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, endpoint: str) -> list[dict]:
        with self.lock:
            return [fields for path, fields in self.requests if path == f"/1.1/{endpoint}"]


def _handler(fake: FakeAkismet):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, status: int, text: str, headers: dict | None = None):
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with fake.lock:
                fake.requests.append((self.path, fields))
            if self.path == "/1.1/verify-key":
                return self._reply(200, "valid" if fields.get("key") == fake.key else "invalid")
            if fields.get("api_key") != fake.key:
                return self._reply(200, "invalid", {"X-akismet-debug-help": "We were unable to parse your blog URI"})
            if self.path in ("/1.1/submit-spam", "/1.1/submit-ham"):
                return self._reply(200, THANKS)
            if self.path != "/1.1/comment-check":
                return self._reply(404, "")
            if fake.answer == "error":
                return self._reply(500, "Internal Server Error")
            if fake.answer == "slow":
                time.sleep(3)
                return self._reply(200, "false")
            if fake.answer == "discard":
                return self._reply(200, "true", {"X-akismet-pro-tip": "discard"})
            return self._reply(200, fake.answer)

    return Handler


def start_fake_akismet() -> tuple[FakeAkismet, ThreadingHTTPServer]:
    fake = FakeAkismet()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
