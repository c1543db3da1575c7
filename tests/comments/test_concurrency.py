"""100 visitors posting at once over real HTTP, to a threaded server: every comment stored exactly once."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from comments.models import Comment
from comments.moderation import form_timestamp

VISITORS = 100
# Requests in flight at once. Each is served by its own server thread with its own
# PostgreSQL connection, and the shared server allows 100 connections for everyone.
IN_FLIGHT = 16


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_valid_submissions_are_all_stored_once(live_server, settings):
    from tests.factories import make_article

    # Each visitor comes through our one trusted proxy with their own address.
    settings.TRUSTED_PROXY_COUNT = 1
    article = make_article()
    top = Comment.objects.create(article=article, name="T", email="t@example.org", body="Top.", status="approved")
    reply_page = f"{live_server.url}/comments/reply/{top.pk}/"
    post_url = f"{live_server.url}/comments/post/{article.pk}/"
    start = threading.Event()

    def visit(n):
        session = requests.Session()
        headers = {"X-Forwarded-For": f"10.1.{n // 250}.{n % 250 + 1}", "Referer": reply_page}
        page = session.get(reply_page, headers=headers, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        shown_at = form_timestamp(at=time.time() - 30)
        data = {
            "csrfmiddlewaretoken": token,
            "name": f"Visitor {n}",
            "email": f"visitor{n}@example.org",
            "body": f"Comment from visitor {n}.",
            "ts": shown_at,
            "homepage": "",
        }
        start.wait(timeout=120)
        response = session.post(post_url, data=data, headers=headers, allow_redirects=False, timeout=120)
        return response.status_code

    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        futures = [pool.submit(visit, n) for n in range(VISITORS)]
        start.set()
        statuses = [f.result() for f in futures]

    assert statuses == [302] * VISITORS
    stored = list(Comment.objects.exclude(pk=top.pk).values_list("body", flat=True))
    assert sorted(stored) == sorted(f"Comment from visitor {n}." for n in range(VISITORS))
    assert Comment.objects.exclude(pk=top.pk).filter(status="pending").count() == VISITORS
