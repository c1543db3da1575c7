"""Every comment page a reader can land on: axe finds 0 violations, the Nu checker 0 errors,
and after a failed post focus lands on an error summary that links each field."""

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.articles.test_accessibility import AXE
from tests.articles.test_html_valid import vnu_command
from tests.comments.conftest import comment_data
from tests.factories import make_article

ALL_WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_all_violations(page):
    """Every violation, whatever its impact (the issue asks for 0)."""
    page.evaluate(AXE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        ALL_WCAG,
    )
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in result["violations"]]


def _failed_post(page, url):
    page.goto(url)
    form = page.locator("form.comment-form")
    form.locator("input[name=email]").fill("not-an-email")
    form.locator("textarea[name=body]").fill("My words stay.")
    # Skip the browser's own validation, so the server's error page is what we check.
    page.evaluate("document.querySelector('form.comment-form').noValidate = true")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_failed_form_reply_and_throttled_pages_have_no_axe_violations(live_server, page, settings, artifacts_dir):
    settings.COMMENTS_THROTTLE_PER_IP = 0
    article = make_article(title="Tungsten: the quiet squeeze", full_brief=True)
    parent = Comment.objects.create(
        article=article, name="Ben", email="ben@example.org", body="Top.", status="approved"
    )
    url = live_server.url + article.get_absolute_url()

    page.goto(url)  # the article with a reader comment (its Reply and Report controls)
    assert axe_all_violations(page) == []

    _failed_post(page, url)
    summary = page.locator("#comment-errors")
    assert page.evaluate("document.activeElement.id") == "comment-errors"
    assert [summary.locator("a").nth(i).get_attribute("href") for i in range(summary.locator("a").count())] == [
        "#id_name",
        "#id_email",
    ]
    assert page.locator("#id_body").input_value() == "My words stay."
    page.screenshot(path=str(artifacts_dir / "comments-failed-form.png"), full_page=True)
    assert axe_all_violations(page) == []

    page.goto(live_server.url + reverse("comments:reply", args=[parent.pk]))
    assert axe_all_violations(page) == []

    page.goto(url)
    with page.expect_navigation():
        page.get_by_role("button", name="Report the comment by Ben").click()
    assert page.locator("h1").inner_text() == "Thank you for your report"
    assert axe_all_violations(page) == []

    # Throttled: the form is valid, the limit is 0 per IP.
    page.goto(url)
    form = page.locator("form.comment-form")
    form.locator("input[name=name]").fill("Ada")
    form.locator("input[name=email]").fill("ada@example.org")
    form.locator("textarea[name=body]").fill("Throttled words.")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    assert page.locator("h1").inner_text() == "Please wait a few minutes"
    page.screenshot(path=str(artifacts_dir / "comments-throttled.png"), full_page=True)
    assert axe_all_violations(page) == []


@pytest.mark.django_db
def test_every_comment_page_is_valid_html5(client, settings, tmp_path):
    article = make_article(title="Tungsten: the quiet squeeze", full_brief=True)
    parent = Comment.objects.create(
        article=article, name="Ben", email="ben@example.org", body="Top.", status="approved"
    )
    post = reverse("comments:post", args=[article.pk])
    pages = {
        "failed-form": Client().post(post, comment_data(article, name="", email="bad"), REMOTE_ADDR="203.0.113.1"),
        "reply": client.get(reverse("comments:reply", args=[parent.pk])),
    }
    from comments import trust

    record, _ = trust.trust_for_confirmation(email="ada@example.org", name="Ada Reader")
    confirm = reverse("comments:trust_confirm", args=[trust.confirmation_token(trust=record, name="Ada Reader")])
    pages["trust-confirm"] = client.get(confirm)
    pages["trust-confirmed"] = client.post(confirm)
    pages["commenter-settings"] = client.get(reverse("comments:commenter", args=[trust.settings_token(record.email)]))
    pages["article"] = client.get(article.get_absolute_url())
    pages["report"] = Client().post(reverse("comments:report", args=[parent.pk]), REMOTE_ADDR="203.0.113.3")
    settings.COMMENTS_THROTTLE_PER_IP = 0
    pages["throttled"] = Client().post(post, comment_data(article), REMOTE_ADDR="203.0.113.2")
    assert {name: r.status_code for name, r in pages.items()} == {
        "failed-form": 400,
        "reply": 200,
        "trust-confirm": 200,
        "trust-confirmed": 200,
        "commenter-settings": 200,
        "article": 200,
        "report": 200,
        "throttled": 429,
    }
    files = []
    for name, response in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run(
        [*vnu_command(), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert errors == [], "\n".join(errors)
