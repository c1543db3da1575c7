"""Newsletter fixtures: a controllable loopback SMTP server and a way to run senders as real processes."""

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import SMTPRecorder, _Handler, free_port

ROOT = Path(__file__).resolve().parents[2]


class GatedHandler(_Handler):
    """The shared recorder handler, plus two switches for concurrency tests.

    min_sessions: every RCPT waits until that many distinct SMTP sessions have
    said MAIL FROM, so two senders are provably working at the same time.
    hold_after: once that many messages are accepted, the next RCPT blocks
    (the sender is mid-batch) until `release()`; `held` is set while it blocks.
    """

    def __init__(self, recorder, *, min_sessions=0, hold_after=None):
        super().__init__(recorder)
        self.min_sessions = min_sessions
        self.hold_after = hold_after
        self.sessions = set()
        self.held = threading.Event()
        self._released = threading.Event()

    def release(self):
        self.hold_after = None
        self._released.set()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.sessions.add(id(session))
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        waited = 0.0
        while len(self.sessions) < self.min_sessions and waited < 60:
            await asyncio.sleep(0.02)
            waited += 0.02
        if self.hold_after is not None and len(self.recorder.envelopes) >= self.hold_after:
            self.held.set()
            while not self._released.is_set():
                await asyncio.sleep(0.02)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture(autouse=True)
def _one_smtp_connection(settings):
    """Messages in a predictable order; tests that send over several connections say so."""
    settings.NEWSLETTER_SMTP_CONNECTIONS = 1


@pytest.fixture
def gated_smtp():
    """Factory: start a GatedHandler SMTP server on loopback; stopped after the test."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(**options):
        recorder = SMTPRecorder(host="127.0.0.1", port=free_port())
        handler = GatedHandler(recorder, **options)
        controller = Controller(handler, hostname="127.0.0.1", port=recorder.port)
        controller.start()
        recorder.handler = handler
        controllers.append((controller, handler))
        return recorder

    yield start
    for controller, handler in controllers:
        handler.release()
        controller.stop()


def test_database_url() -> str:
    """The URL of the test database this test run uses, for subprocesses."""
    from django.conf import settings
    from django.db import connection

    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


test_database_url.__test__ = False


def start_sender(smtp: SMTPRecorder, *args: str, **env: str) -> subprocess.Popen:
    """`manage.py send_daily_digest` in a real process, on the test database and the given SMTP server."""
    return start_manage(smtp, "send_daily_digest", *args, **env)


def start_manage(smtp: SMTPRecorder, *argv: str, **env: str) -> subprocess.Popen:
    """A `manage.py` command in a real process, on the test database and the given SMTP server."""
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": test_database_url(),
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "NEWSLETTER_SEND_HOUR": "0",
        "NEWSLETTER_BUILD_LEAD_MINUTES": "0",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
