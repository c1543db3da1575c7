"""A visitor comments, a stranger cannot see it, an editor approves it, everyone sees it."""

import time

import pytest

from comments.models import Comment
from tests.factories import make_article, make_user

pytestmark = pytest.mark.browser


def comments_heading(page):
    return page.locator("#comments-title").inner_text()


def test_comment_moderation_round_trip(live_server, page, new_page, artifacts_dir, settings):
    settings.COMMENTS_MIN_SECONDS = 1
    article = make_article(title="Can the West claim rare earth independence?", full_brief=True)
    earlier = Comment.objects.create(
        article=article,
        name="Ben Analyst",
        email="ben@example.org",
        url="https://ben.example",
        body="Refining is the bottleneck, not mining.\nSee https://example.org/report.pdf for numbers.",
        status="approved",
    )
    Comment.objects.create(
        article=article,
        parent=earlier,
        name="Reex Editors",
        email="desk@reex.example",
        body="Agreed. We cover the refining gap in tomorrow's brief.",
        status="approved",
        is_staff_reply=True,
    )
    editor = make_user(username="erin", is_staff=True, is_superuser=True, email="erin@reex.example")
    article_url = f"{live_server.url}{article.get_absolute_url()}"

    # A visitor writes a reply and posts it.
    page.goto(article_url)
    assert comments_heading(page) == "2 Comments"
    page.locator(f"#comment-{earlier.pk} .comment-reply-link").click()
    assert page.locator("#reply-title").inner_text() == "Reply to Ben Analyst"
    page.fill("#id_name", "Ada Reader")
    page.fill("#id_email", "ada@example.org")
    page.fill("#id_body", "What about heavy rare earths?\nDysprosium in particular.")
    page.check("#id_notify_replies")
    page.locator("#respond").screenshot(path=artifacts_dir / "comments-reply-form.png")
    time.sleep(1.1)  # a person takes longer than COMMENTS_MIN_SECONDS
    # The cached article page carries no CSRF token; static/js/site.js fetches one before sending.
    page.click("#submit-id-submit")
    page.wait_for_url(f"{article_url}#comments")
    mine = Comment.objects.get(email="ada@example.org")
    assert (mine.status, mine.parent_id) == ("pending", earlier.pk)
    own = page.locator(f"#comment-{mine.pk}")
    assert "Your comment is awaiting moderation." in own.inner_text()
    assert "comment-depth-1" in own.get_attribute("class")
    assert comments_heading(page) == "2 Comments"
    own.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "comments-awaiting-moderation.png", full_page=True)

    # Another visitor does not see it.
    stranger = new_page()
    stranger.goto(article_url)
    assert stranger.locator(f"#comment-{mine.pk}").count() == 0
    assert "Dysprosium" not in stranger.content()

    # An editor approves it in the admin queue.
    admin = new_page()
    admin.goto(f"{live_server.url}/admin/login/?next=/admin/")
    admin.fill("#id_username", editor.username)
    admin.fill("#id_password", "pw-for-tests-123")
    admin.click("input[type=submit]")
    admin.wait_for_url(f"{live_server.url}/admin/")
    assert "1 comment awaiting moderation" in admin.locator("#pending-comments-module").inner_text()
    admin.screenshot(path=artifacts_dir / "comments-admin-index.png", full_page=True)
    admin.click("#pending-comments-module a >> nth=0")
    admin.check(f"input[name=_selected_action][value='{mine.pk}']")
    admin.select_option("select[name=action]", "approve_selected")
    admin.screenshot(path=artifacts_dir / "comments-admin-queue.png", full_page=True)
    admin.click("button[name=index]")
    assert "1 comment approved." in admin.locator(".messagelist").inner_text()
    mine.refresh_from_db()
    assert (mine.status, mine.moderated_by) == ("approved", editor)

    # Both visitors now see it, and the count went up.
    for visitor in (page, stranger):
        visitor.goto(article_url)
        assert comments_heading(visitor) == "3 Comments"
        shown = visitor.locator(f"#comment-{mine.pk}")
        assert "Dysprosium in particular." in shown.inner_text()
        assert "awaiting moderation" not in shown.inner_text()
    stranger.locator("#comments").scroll_into_view_if_needed()
    stranger.screenshot(path=artifacts_dir / "comments-approved.png", full_page=True)
