"""A fixed set of newsroom actions, whose dashboard counts the tests assert exactly."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from articles.models import Article, Correction
from articles.services import article_publish, article_return_to_draft, article_submit
from tests.factories import make_article, make_subscriber, make_user

S = Article.Status
PASSWORD = "desk-pass-for-tests-123"


def build_world() -> dict:
    from comments.models import Comment, CommentReport
    from newsletter.models import Delivery, Digest, DigestArticle

    now = timezone.now()
    today_start = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    writer = make_user(username="writer", password=PASSWORD, groups=["Writers"], is_staff=True)
    other = make_user(username="other-writer", password=PASSWORD, groups=["Writers"], is_staff=True)
    editor = make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)

    # The writer: two plain drafts, one returned with a note, one in review.
    make_article(title="Draft on neodymium", status=S.DRAFT, created_by=writer)
    make_article(title="Draft on terbium", status=S.DRAFT, created_by=writer)
    returned = make_article(title="Returned brief on scandium", status=S.DRAFT, created_by=writer, full_brief=True)
    article_submit(article=returned, by=writer)
    article_return_to_draft(article=returned, by=editor, note="Needs a second source")
    mine_in_review = make_article(title="My brief in review", status=S.DRAFT, created_by=writer, full_brief=True)
    # Another writer submitted first: oldest in the queue.
    first = make_article(title="Oldest in the queue", status=S.DRAFT, created_by=other, full_brief=True)
    article_submit(article=first, by=other)
    article_submit(article=mine_in_review, by=writer)
    make_article(title="Another writer's draft", status=S.DRAFT, created_by=other)

    # The editor: scheduled (one within 7 days, one after), published today and yesterday.
    make_article(title="Scheduled in three days", published_at=now + timedelta(days=3))
    make_article(title="Scheduled in ten days", published_at=now + timedelta(days=10))
    for title in ("Out this morning", "Out just now"):
        article = make_article(title=title, status=S.REVIEW, full_brief=True)
        article_publish(article=article, by=editor)
    yesterday = make_article(title="Out yesterday", published_at=today_start - timedelta(hours=2))
    old = make_article(title="Out long ago", published_at=now - timedelta(days=40))

    # Corrections: one this week, one long ago.
    Correction.objects.create(article=yesterday, date=timezone.localdate(now), text="The tonnage was 12 kt, not 21.")
    Correction.objects.create(article=old, date=timezone.localdate(now) - timedelta(days=30), text="Old fix.")

    # Comments: three pending, two approved, one spam; readers reported the first approved one twice and
    # the spam once (not counted: only approved comments are on show).
    statuses = ["pending"] * 3 + ["approved"] * 2 + ["spam"]
    comments = [
        Comment.objects.create(
            article=yesterday, name=f"Reader {n}", email=f"r{n}@example.org", body=f"Comment {n}", status=status
        )
        for n, status in enumerate(statuses)
    ]
    for comment, reporter in ((comments[3], "a"), (comments[3], "b"), (comments[5], "a")):
        CommentReport.objects.create(comment=comment, reporter_key=reporter * 64)

    # Subscribers: five confirmed, two pending; the last digest went to four of them, one failed.
    confirmed = [make_subscriber() for _ in range(5)]
    make_subscriber(status="pending")
    make_subscriber(status="pending")
    digest = Digest.objects.create(
        date=timezone.localdate(now) - timedelta(days=1),
        subject="Rare earths, yesterday",
        status=Digest.Status.SENT,
        sent_at=now - timedelta(hours=20),
        covers_until=now - timedelta(hours=21),
    )
    DigestArticle.objects.create(digest=digest, article=yesterday, position=0)
    DigestArticle.objects.create(digest=digest, article=old, position=1)
    for n, subscriber in enumerate(confirmed):
        Delivery.objects.create(
            digest=digest, subscriber=subscriber, status=Delivery.Status.FAILED if n == 4 else Delivery.Status.SENT
        )
    return {"writer": writer, "editor": editor, "other": other}


# What the dashboard must show after build_world(), panel by panel.
EDITOR_COUNTS = {
    "panel-queue": 2,
    "panel-scheduled": 1,
    "panel-published-today": 2,
    "panel-corrections": 1,
    "panel-comments": 3,
    "panel-reported": 1,
}
WRITER_COUNTS = {"panel-drafts": 2, "panel-returned": 1, "panel-in-review": 1}
DIGEST_FIGURES = {"items": "2", "sent": "4", "failed": "1", "bounced": "0", "skipped": "0"}
