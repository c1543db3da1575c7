"""Privacy commands: erase a commenter, purge old IP addresses."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment
from comments.services import ERASED_BODY, ERASED_NAME


def add(article, **extra):
    defaults = {"name": "Ada", "email": "ada@example.org", "body": "Words.", "status": "approved"}
    defaults.update(extra)
    return Comment.objects.create(article=article, **defaults)


@pytest.mark.django_db
def test_erase_commenter_deletes_leaves_and_anonymises_replied_to(article):
    replied = add(article, body="Replied to.", url="https://ada.example", ip_address="203.0.113.1", user_agent="UA")
    add(article, parent=replied, name="Ben", email="ben@example.org", body="Ben's reply.")
    own_chain_top = add(article, email="ADA@example.org", body="Top of my own chain.", status="pending")
    add(article, parent=own_chain_top, body="My own follow-up.")
    add(article, body="A lone comment.", status="spam")
    keep = add(article, name="Cy", email="cy@example.org", body="Someone else.")
    out = StringIO()
    call_command("erase_commenter", "Ada@Example.org", stdout=out)
    assert out.getvalue().strip() == "Ada@Example.org: 3 comment(s) deleted, 1 anonymised (they had replies)."
    replied.refresh_from_db()
    assert (replied.name, replied.email, replied.url, replied.body, replied.ip_address, replied.user_agent) == (
        ERASED_NAME,
        "",
        "",
        ERASED_BODY,
        None,
        "",
    )
    assert sorted(Comment.objects.values_list("body", flat=True)) == sorted([ERASED_BODY, "Ben's reply.", keep.body])
    assert Comment.objects.filter(email__icontains="ada").count() == 0


@pytest.mark.django_db
def test_erased_comment_shows_as_placeholder(client, article):
    replied = add(article, body="Personal story.")
    add(article, parent=replied, name="Ben", email="ben@example.org", body="Reply.")
    call_command("erase_commenter", "ada@example.org", stdout=StringIO())
    body = client.get(article.get_absolute_url()).content.decode()
    assert "Personal story." not in body
    assert "[This comment was removed at its author&#x27;s request.]" in body


@pytest.mark.django_db
def test_erase_commenter_rejects_a_non_address():
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("erase_commenter", "not an email")


@pytest.mark.django_db
def test_purge_comment_ips_clears_only_old_rows(article, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    now = timezone.now()
    old = add(article, ip_address="203.0.113.1", user_agent="Old UA", created_at=now - timedelta(days=31))
    new = add(article, body="New.", ip_address="203.0.113.2", user_agent="New UA", created_at=now - timedelta(days=29))
    out = StringIO()
    call_command("purge_comment_ips", stdout=out)
    assert out.getvalue().strip() == "Cleared IP address and user agent of 1 comment(s) older than 30 days."
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.ip_address, old.user_agent, old.body) == (None, "", "Words.")
    assert (new.ip_address, new.user_agent) == ("203.0.113.2", "New UA")
    call_command("purge_comment_ips", "--days", "1", stdout=StringIO())
    new.refresh_from_db()
    assert new.ip_address is None
