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


def confirm_link_from(message) -> str:
    """The path of the "confirm it's you" link in an email."""
    import re
    from urllib.parse import urlsplit

    (url,) = re.findall(r"https?://\S+/comments/confirm/\S+/", message.body)
    return urlsplit(url).path


def become_trusted(client, article, *, name="Ada Reader", email="ada@example.org", capture=None):
    """Make `client` a trusted commenter the way a person does: a held comment, the emailed link, an approval.

    `capture` is pytest-django's django_capture_on_commit_callbacks (the link is sent on commit).
    """
    from django.core import mail

    from comments.models import Comment

    before = len(mail.outbox)
    with capture(execute=True):
        post_comment(client, article, name=name, email=email, body=f"First words from {name}.")
    first = Comment.objects.get(body=f"First words from {name}.")
    first.status = Comment.Status.APPROVED  # an editor approved it
    first.save(update_fields=["status"])
    (message,) = [m for m in mail.outbox[before:] if m.to == [email]]
    response = client.post(confirm_link_from(message))
    assert response.status_code == 200
    return message


def trust_directly(client, *, name, email):
    """Confirm `client` as `name` <`email`> through the confirmation view, without reading an email."""
    from django.urls import reverse

    from comments import trust

    record, _ = trust.trust_for_confirmation(email=email, name=name)
    response = client.post(reverse("comments:trust_confirm", args=[trust.confirmation_token(trust=record, name=name)]))
    assert response.status_code == 200


@pytest.fixture
def fake_akismet(settings):
    """Akismet on, pointed at a local fake of its API (tests/comments/fake_akismet.py)."""
    from tests.comments.fake_akismet import start_fake_akismet

    fake, server = start_fake_akismet()
    settings.AKISMET_API_KEY = fake.key
    settings.AKISMET_API_URL = fake.url
    settings.AKISMET_TIMEOUT_SECONDS = 1
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
