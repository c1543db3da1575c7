"""Readers report approved comments: one report per reader, throttled, back to the queue past the threshold."""

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from comments import throttle
from comments.models import Comment, CommentReport, ModerationSettings
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def approved(article, **extra):
    defaults = {"name": "Ben", "email": "ben@example.org", "body": "Approved words.", "status": "approved"}
    return Comment.objects.create(article=article, **{**defaults, **extra})


def report(client, comment, ip):
    return client.post(reverse("comments:report", args=[comment.pk]), REMOTE_ADDR=ip)


def test_the_article_offers_a_report_button_on_approved_reader_comments_only(client, article):
    reader = approved(article)
    approved(article, name="Desk", email="desk@example.org", body="Staff words.", is_staff_reply=True)
    tree = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    actions = tree.xpath('//form[@class="comment-report-form"]/@action')
    assert actions == [reverse("comments:report", args=[reader.pk])]


def test_reports_past_the_threshold_put_the_comment_back_in_the_queue(client, article):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"report_threshold": 3})
    comment = approved(article)
    for ip in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):  # the same reader twice counts once
        response = report(client, comment, ip)
        assert response.status_code == 200
        assert "Thank you for your report" in response.content.decode()
    comment.refresh_from_db()
    assert (comment.status, CommentReport.objects.count()) == ("approved", 2)
    report(client, comment, "203.0.113.3")
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_reason) == ("pending", "Reported by 3 readers: back in the queue.")
    assert "Approved words." not in client.get(article.get_absolute_url()).content.decode()
    # Hidden now: more reports are refused with a clear 404, and nothing is stored.
    assert report(client, comment, "203.0.113.4").status_code == 404
    assert CommentReport.objects.count() == 3


def test_an_editors_reapproval_stands_until_new_reports_reach_the_threshold(client, article):
    from comments import services

    ModerationSettings.objects.update_or_create(pk=1, defaults={"report_threshold": 2})
    comment = approved(article)
    report(client, comment, "203.0.113.1")
    report(client, comment, "203.0.113.2")
    comment.refresh_from_db()
    assert comment.status == "pending"
    services.comment_approve(comment=comment, by=make_user(is_staff=True))
    report(client, comment, "203.0.113.3")
    comment.refresh_from_db()
    assert comment.status == "approved"
    report(client, comment, "203.0.113.4")
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_threshold_zero_never_hides(client, article):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"report_threshold": 0})
    comment = approved(article)
    for n in range(5):
        report(client, comment, f"203.0.113.{n}")
    comment.refresh_from_db()
    assert (comment.status, CommentReport.objects.count()) == ("approved", 5)


def test_reports_are_throttled_per_reader(client, article):
    comments = [
        approved(article, body=f"Words {n}.", email=f"r{n}@example.org") for n in range(throttle.REPORTS_PER_IP + 1)
    ]
    codes = [report(client, c, "203.0.113.9").status_code for c in comments]
    assert codes == [200] * throttle.REPORTS_PER_IP + [429]
    last = report(client, comments[0], "203.0.113.9")
    assert (last.status_code, last["Retry-After"]) == (429, str(throttle.REPORTS_WINDOW_SECONDS))
    assert "Please wait a while" in last.content.decode()
    assert CommentReport.objects.count() == throttle.REPORTS_PER_IP


def test_pending_or_unknown_comments_cannot_be_reported(client, article):
    held = approved(article, status="pending")
    assert report(client, held, "203.0.113.1").status_code == 404
    assert client.post(reverse("comments:report", args=[999999])).status_code == 404
    assert client.get(reverse("comments:report", args=[held.pk])).status_code == 405
    assert CommentReport.objects.count() == 0


def test_editors_set_the_threshold_in_the_admin(admin_client):
    url = reverse("admin:comments_moderationsettings_add")
    response = admin_client.post(url, {"report_threshold": "5"})
    assert response.status_code == 302
    assert ModerationSettings.load().report_threshold == 5
    assert admin_client.get(url).status_code == 403  # one row only
