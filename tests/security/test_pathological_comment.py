"""A pathological comment (1 MB of brackets, unclosed tags, half-URLs) is answered and rendered quickly.

The bound is a generous sanity limit (one second), not a benchmark: it catches
regular-expression backtracking and quadratic rendering, which take minutes.
"""

import time

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.moderation import form_timestamp
from tests.factories import make_article, make_comment
from tests.security.inert import html_problems, nonce_of

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
PATTERNS = {
    "brackets": "[" * MB,
    "angles": "<" * MB,
    "unclosed-tags": "<a <b <i <script " * (MB // 17),
    "parentheses-url": "http://x.org/" + "(" * (MB - 13),
    "closing-parentheses-url": "https://x.org/a" + ")" * (MB - 15),
    "www-nesting": "www." + "a(" * (MB // 2 - 2),
    "ampersands": "&amp;" * (MB // 5),
    "newlines": "\n" * MB,
    "dots": "www." + "." * (MB - 4),
}
LIMIT_SECONDS = 1.0


@pytest.fixture
def article(settings):
    settings.COMMENTS_MIN_SECONDS = 0
    return make_article(title="A brief")


def _timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


@pytest.mark.parametrize("kind", PATTERNS)
def test_posting_one_megabyte_is_refused_quickly(client, article, kind):
    body = PATTERNS[kind]
    client.get(article.get_absolute_url())  # warm up: template loading is not what is measured
    response, seconds = _timed(
        lambda: client.post(
            reverse("comments:post", args=[article.pk]),
            {"name": "Bot", "email": "bot@example.org", "body": body, "ts": form_timestamp(at=time.time() - 60)},
        )
    )
    assert response.status_code == 400  # too long for the form; shown again to be shortened
    assert seconds < LIMIT_SECONDS, f"{kind}: {seconds:.2f}s"
    assert not Comment.objects.exists()


# Trailing punctuation (1 MB of dots, or of ")" after a URL) was once stripped one character
# at a time, quadratic; comments' linkify now splits it off in one pass.
@pytest.mark.parametrize(("kind", "size"), [(kind, 5000) for kind in PATTERNS] + [(kind, MB) for kind in PATTERNS])
def test_a_stored_pathological_comment_renders_quickly(client, article, kind, size):
    # 5,000 characters is what the form lets through; 1 MB is what an import or a future
    # limit change could store. Both must render fast.
    client.get(article.get_absolute_url())  # warm up: template loading is not what is measured
    make_comment(article=article, name="Bot", email="bot@example.org", body=PATTERNS[kind][:size])
    response, seconds = _timed(lambda: client.get(article.get_absolute_url()))
    assert response.status_code == 200
    assert seconds < LIMIT_SECONDS, f"{kind} ({size} chars): {seconds:.2f}s"
    if size <= 5000:  # (the checker's own parsers are not built for megabytes of '<')
        assert html_problems(response.content.decode(), where=kind, nonce=nonce_of(response)) == []
