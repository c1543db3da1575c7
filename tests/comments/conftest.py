import time

import pytest

from comments.moderation import form_timestamp
from tests.factories import make_article


@pytest.fixture
def article(db):
    return make_article(title="Russia's rare earth riddle")


def comment_data(article, **overrides):
    """A valid form submission, shown a minute ago (a person's typing speed)."""
    data = {
        "name": "Ada Reader",
        "email": "ada@example.org",
        "url": "",
        "body": "A thoughtful comment about refining capacity.",
        "parent": "",
        "ts": form_timestamp(at=time.time() - 60),
        "homepage": "",
    }
    data.update(overrides)
    return data


def post_comment(client, article, *, remote_addr="203.0.113.10", **overrides):
    from django.urls import reverse

    return client.post(
        reverse("comments:post", args=[article.pk]), comment_data(article, **overrides), REMOTE_ADDR=remote_addr
    )
