"""The time trap behind the page cache: a bot on a cached page is caught, a person is not.

The article is loaded twice, so the second load is a page-cache hit; the
timing token comes from comments:form_token, never from the cached HTML.
"""

import time
import urllib.request

import pytest

from comments.models import Comment
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(page, *, name, email, body):
    form = page.locator("form.comment-form")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=email]").fill(email)
    form.locator("textarea[name=body]").fill(body)
    return form


def without_browser_cache(page):
    """Every load goes to the server, so the second load is answered by the page cache, not a 304."""
    page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    return page


def wait_until(moment):
    time.sleep(max(0.0, moment - time.monotonic()))


def test_bot_on_a_cached_page_is_spam_and_a_person_on_it_is_pending(
    live_server, page, new_page, settings, artifacts_dir
):
    settings.COMMENTS_MIN_SECONDS = 3
    article = make_article(title="Gallium after the export ban", full_brief=True)
    url = live_server.url + article.get_absolute_url()
    without_browser_cache(page)
    # The first load (a reader before us) fills the page cache.
    with urllib.request.urlopen(url) as first:
        assert first.headers["X-Page-Cache"] == "miss"

    # A person opens the same cached page (in another browser) just before a bot does.
    person = without_browser_cache(new_page())
    person_loaded = time.monotonic()
    assert person.goto(url).headers["x-page-cache"] == "hit"

    # The bot: its load is a page-cache hit too; it posts 0.5 s after the load.
    loaded = time.monotonic()
    assert page.goto(url).headers["x-page-cache"] == "hit"
    assert page.locator("form.comment-form input[name=ts]").get_attribute("value") in (None, "")
    form = fill(page, name="Cheap Pills", email="bot@example.org", body="Great post, visit my site.")
    wait_until(loaded + 0.5)
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    bot = Comment.objects.get(email="bot@example.org")
    assert bot.status == "spam"
    assert bot.moderation_reason.endswith("s after the form was shown: too fast for a person.")

    # The person starts typing after a second and posts 10 s after their load.
    wait_until(person_loaded + 1)
    form = fill(person, name="Ada Lovelace", email="ada@example.org", body="How much gallium is recycled?")
    person.locator("#respond").screenshot(path=artifacts_dir / "comments-time-trap-person.png")
    wait_until(person_loaded + 10)
    with person.expect_navigation():
        form.locator("[type=submit]").first.click()
    mine = Comment.objects.get(email="ada@example.org")
    assert (mine.status, mine.moderation_reason) == ("pending", "")
    assert Comment.objects.count() == 2


def test_without_javascript_a_cached_page_post_is_accepted_and_held(live_server, new_page, settings):
    article = make_article(title="Antimony stockpiles", full_brief=True)
    url = live_server.url + article.get_absolute_url()
    reader = without_browser_cache(new_page(java_script_enabled=False))
    urllib.request.urlopen(url).read()
    assert reader.goto(url).headers["x-page-cache"] == "hit"
    form = fill(reader, name="Ben", email="ben@example.org", body="No scripts here.")
    with reader.expect_navigation():
        form.locator("[type=submit]").first.click()
    # The cached page has no CSRF token: the "Please confirm" page re-sends it with one (reex/csrf.py).
    with reader.expect_navigation():
        reader.get_by_role("button", name="Please confirm and send").click()
    comment = Comment.objects.get()
    assert (comment.status, comment.moderation_reason) == (
        "pending",
        "Held: sent without JavaScript (no form token), so its speed could not be checked.",
    )
