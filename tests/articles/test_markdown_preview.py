"""The admin's live Markdown preview: rendered and sanitised by the code that renders on save, for staff only."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.markdown import render_markdown
from tests.factories import make_user

PREVIEW = reverse("articles:markdown-preview")
TEXT = "Russia has **the rocks**[^1] <script>alert(1)</script>\n\n[^1]: USGS 2025."
PASSWORD = "editor-pass-for-tests-123"


@pytest.mark.django_db
def test_preview_is_exactly_what_is_stored_on_save():
    client = Client()
    client.force_login(make_user(username="writer1", groups=["Writers"], is_staff=True))
    response = client.post(PREVIEW, {"text": TEXT})
    assert response.status_code == 200
    assert response.json() == {"html": render_markdown(TEXT)}
    assert "<script" not in response.json()["html"]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_preview_refuses_readers_get_and_huge_bodies():
    assert Client().post(PREVIEW, {"text": TEXT}).status_code == 302  # to the admin login
    client = Client()
    client.force_login(make_user(username="editor1", groups=["Editors"], is_staff=True))
    assert client.get(PREVIEW).status_code == 405
    assert client.post(PREVIEW, {"text": "x" * 100_001}).json() == {"error": "Too long to preview."}


@pytest.mark.django_db
def test_preview_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(username="editor2", groups=["Editors"], is_staff=True))
    assert client.post(PREVIEW, {"text": TEXT}).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_typing_markdown_in_the_intro_shows_the_preview(page, live_server, artifacts_dir):
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/article/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#article_form")
    page.locator("#id_intro").press_sequentially("Russia has **the rocks**[^1].\n\n[^1]: USGS 2025.")
    preview = page.locator("#id_intro-preview")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "the rocks"
    assert preview.locator("section.footnotes li").inner_text().startswith("USGS 2025.")
    preview.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "admin-markdown-preview.png"))
    # Plain-text fields get no preview.
    assert page.locator("#id_standfirst-preview").count() == 0
