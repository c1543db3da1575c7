"""Forms on pages served from the page cache still work: with JavaScript (token from /csrf/) and without."""

import urllib.request

import pytest

from comments.models import Comment
from newsletter.models import Subscriber
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _quick_comments(settings):
    settings.COMMENTS_MIN_SECONDS = 0  # a test types faster than the anti-bot minimum


def _warm(url: str) -> str:
    """Fetch twice as an anonymous reader; the second answer is the cached copy browsers will get."""
    urllib.request.urlopen(url).read()
    with urllib.request.urlopen(url) as response:
        return response.headers["X-Page-Cache"]


def test_newsletter_signup_from_a_cached_page(live_server, page, artifacts_dir):
    article = make_article(full_brief=True)
    url = live_server.url + article.get_absolute_url()
    assert _warm(url) == "hit"
    response = page.goto(url)
    assert response.headers["x-page-cache"] == "hit"
    assert page.locator("aside input[name=csrfmiddlewaretoken]").first.get_attribute("value") == ""
    form = page.locator("aside form.newsletter-form")
    form.locator("input[name=email]").fill("reader@example.org")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.screenshot(path=str(artifacts_dir / "perf-cached-newsletter-signup.png"), full_page=True)
    assert "/newsletter/thanks/" in page.url
    assert list(Subscriber.objects.values_list("email", "status")) == [("reader@example.org", "pending")]


def test_comment_from_a_cached_page(live_server, page, artifacts_dir):
    article = make_article(full_brief=True)
    url = live_server.url + article.get_absolute_url()
    assert _warm(url) == "hit"
    assert page.goto(url).headers["x-page-cache"] == "hit"
    form = page.locator("form.comment-form")
    form.locator("input[name=name]").fill("Ada")
    form.locator("input[name=email]").fill("ada@example.org")
    form.locator("textarea[name=body]").fill("Does the model include heavy rare earths?")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    page.screenshot(path=str(artifacts_dir / "perf-cached-comment.png"), full_page=True)
    comment = Comment.objects.get()
    assert (comment.article_id, comment.name, comment.body) == (
        article.pk,
        "Ada",
        "Does the model include heavy rare earths?",
    )
    # Back on the article, the commenter sees their own pending comment: a page made for them, not the cached one.
    assert page.url.startswith(url)
    assert "Does the model include heavy rare earths?" in page.content()


def test_without_javascript_the_text_survives_and_one_click_sends_it(live_server, new_page, artifacts_dir):
    article = make_article(full_brief=True)
    url = live_server.url + article.get_absolute_url()
    _warm(url)
    page = new_page(java_script_enabled=False)
    assert page.goto(url).headers["x-page-cache"] == "hit"
    form = page.locator("form.comment-form")
    form.locator("input[name=name]").fill("Ben")
    form.locator("input[name=email]").fill("ben@example.org")
    form.locator("textarea[name=body]").fill("Line one.\nLine two, with <angle> & ampersand.")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    page.screenshot(path=str(artifacts_dir / "perf-nojs-csrf-confirm.png"), full_page=True)
    assert page.locator("h1").inner_text() == "Please confirm"
    shown = page.locator("textarea[readonly]")
    assert [shown.nth(i).get_attribute("aria-label") for i in range(shown.count())] == ["name", "email", "body"]
    assert page.get_by_label("body").input_value() == "Line one.\nLine two, with <angle> & ampersand."
    assert Comment.objects.count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Please confirm and send").click()
    comment = Comment.objects.get()
    assert (comment.name, comment.body) == ("Ben", "Line one.\nLine two, with <angle> & ampersand.")
