"""Shared fixtures: real parts only (PostgreSQL, an SMTP server on loopback, Chromium)."""

import os
import shutil
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(autouse=True)
def _isolated_side_effects(settings):
    """Tasks run immediately in tests; each test starts with an empty cache."""
    from django.core.cache import cache

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    cache.clear()


# --- SMTP: a real server on loopback ------------------------------------------------------


@dataclass
class SMTPRecorder:
    """Messages received by the loopback SMTP server, parsed as email.message objects."""

    host: str
    port: int
    envelopes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Addresses listed here are refused: {"a@x": 450} for a temporary failure, 550 for permanent.
    refuse: dict = field(default_factory=dict)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message_from_bytes(env["data"], policy=policy.default) for env in self.envelopes]

    def recipients(self) -> list[str]:
        with self.lock:
            return [rcpt for env in self.envelopes for rcpt in env["rcpt_tos"]]

    def clear(self) -> None:
        with self.lock:
            self.envelopes.clear()


class _Handler:
    def __init__(self, recorder: SMTPRecorder):
        self.recorder = recorder

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.recorder.refuse.get(address.lower())
        if code:
            return f"{code} {'4.2.1 Try again later' if code < 500 else '5.1.1 No such mailbox'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.recorder.lock:
            self.recorder.envelopes.append(
                {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "data": envelope.content}
            )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real aiosmtpd server on 127.0.0.1; Django's SMTP backend is pointed at it."""
    from aiosmtpd.controller import Controller

    recorder = SMTPRecorder(host="127.0.0.1", port=free_port())
    # aiosmtpd's readiness check connects to the configured port, so it cannot be 0.
    controller = Controller(_Handler(recorder), hostname="127.0.0.1", port=recorder.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "reex.mail.SMTPBackend",
            "OPTIONS": {"host": recorder.host, "port": recorder.port, "timeout": 10},
        }
    }
    try:
        yield recorder
    finally:
        controller.stop()


# --- Chromium ---------------------------------------------------------------------------


def _chromium_missing_reason() -> str | None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return None
    return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"


@pytest.fixture(scope="session")
def _playwright_browser():
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires browser tests: {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the ORM calls a
    # test makes around it are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(_playwright_browser):
    """A fresh browser context and page for one test (no shared cookies)."""
    context = _playwright_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(_playwright_browser):
    """Factory for extra isolated pages (a second visitor, an editor)."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        context = _playwright_browser.new_context(**kwargs)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
