"""Issue 8: SMTP down. Confirmation, welcome and comment notification emails stay owed and go out
exactly once when it is back (send_pending_email, also run by send_daily_digest)."""

import re
import socket
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from newsletter.models import Subscriber
from tests.comments.conftest import comment_data
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused, like a mail server that is down."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class Outage:
    """Switches Django's mailer between a closed loopback port (SMTP down) and the real test server."""

    def __init__(self, settings):
        self.settings = settings
        self.real = settings.MAILERS

    def start(self):
        self.settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 5},
            }
        }

    def end(self):
        self.settings.MAILERS = self.real


@pytest.fixture
def outage(settings, smtp_server):
    outage = Outage(settings)
    outage.start()
    return outage


def sweep():
    call_command("send_pending_email", verbosity=0)


def test_signup_and_confirmation_during_an_outage_send_each_email_once_when_smtp_is_back(client, smtp_server, outage):
    data = {"email": "ada@example.org", "name": "Ada", "source": "page", "source_page": "/newsletter/"}
    response = client.post("/newsletter/", data, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and response["Location"] == reverse("newsletter:thanks")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.last_confirmation_sent_at) == (
        "ada@example.org",
        "pending",
        None,
    )
    sweep()  # still down: nothing sent, nothing marked
    assert Subscriber.objects.get().last_confirmation_sent_at is None
    assert smtp_server.messages == []

    outage.end()  # SMTP back
    sweep()
    (confirmation,) = smtp_server.messages
    assert confirmation["Subject"] == "Please confirm your subscription to Rare Earth Exchanges"
    assert smtp_server.recipients() == ["ada@example.org"]
    assert Subscriber.objects.get().last_confirmation_sent_at is not None
    sweep()
    call_command("send_daily_digest", verbosity=0)  # the cron line runs the sweep too
    assert len(smtp_server.messages) == 1

    # Confirm while SMTP is down again: the confirmation works, the welcome waits.
    path = re.search(r"/newsletter/confirm/[^\s/]+/", confirmation.get_body(("plain",)).get_content()).group(0)
    outage.start()
    response = client.post(path, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200 and "Subscription confirmed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.welcome_sent_at) == ("confirmed", None)
    sweep()
    assert len(smtp_server.messages) == 1

    outage.end()
    call_command("send_daily_digest", verbosity=0)
    assert len(smtp_server.messages) == 2
    welcome = smtp_server.messages[1]
    assert welcome["To"] == "Ada <ada@example.org>"
    assert "confirm" not in welcome["Subject"].lower()
    assert Subscriber.objects.get().welcome_sent_at is not None
    sweep()
    assert len(smtp_server.messages) == 2


def test_subscribers_confirmed_without_a_welcome_record_are_not_mailed(smtp_server):
    # Rows from before the field (backfilled by the migration) and imports are marked; a pending
    # signup whose link has expired is not mailed either.
    from newsletter import services

    services.subscriber_import(rows=[("imp@example.org", "")], mode="consented", consent_source="Event list")
    old = Subscriber.objects.create(email="old@example.org", status="pending")
    Subscriber.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))
    sweep()
    assert smtp_server.messages == []


def moderator():
    user = make_user(is_staff=True, email="mod@example.org")
    user.user_permissions.add(Permission.objects.get(codename="change_comment"))
    return user


def test_new_comment_and_reply_during_an_outage_notify_once_when_smtp_is_back(client, smtp_server, outage):
    moderator()
    article = make_article(title="Russia's rare earth riddle")
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(article, body="Posted while the mail server was down."),
        REMOTE_ADDR="203.0.113.10",
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.moderators_notified_at) == ("pending", None)

    outage.end()
    sweep()  # the comment is younger than a minute: left to the normal batch window
    assert smtp_server.messages == []
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    sweep()
    (notice,) = smtp_server.messages
    assert notice["Subject"] == "1 new comment awaiting moderation"
    assert smtp_server.recipients() == ["mod@example.org"]
    assert "Posted while the mail server was down." in notice.get_body(("plain",)).get_content()
    assert Comment.objects.get().moderators_notified_at is not None
    sweep()
    assert len(smtp_server.messages) == 1


def test_reply_notice_during_an_outage_goes_out_once(smtp_server, outage):
    from comments import services

    article = make_article(title="Russia's rare earth riddle")
    editor = make_user(is_staff=True, email="ed@example.org")
    parent = make_comment(article=article, name="Ada", email="ada@example.org", body="Tell me.", notify_replies=True)
    reply = services.comment_reply_as_staff(parent=parent, by=editor, body="Here is the answer.")
    assert Comment.objects.get(pk=reply.pk).reply_notified_at is None
    sweep()
    assert smtp_server.messages == []
    outage.end()
    sweep()
    (notice,) = smtp_server.messages
    assert smtp_server.recipients() == ["ada@example.org"]
    assert "Here is the answer." in notice.get_body(("plain",)).get_content()
    assert Comment.objects.get(pk=reply.pk).reply_notified_at is not None
    sweep()
    assert len(smtp_server.messages) == 1
