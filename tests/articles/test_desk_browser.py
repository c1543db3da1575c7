"""The editor's desk in headless Chromium: share links made, listed, pinned and revoked."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, ShareLink
from tests.articles.test_admin_browser import shoot
from tests.factories import make_article, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "desk-pass-for-tests-123"


def log_in(page, base, username, next_path="/admin/"):
    page.goto(f"{base}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def make_link(page, base, article, mode):
    page.goto(f"{base}/admin/articles/article/{article.pk}/change/")
    page.click("a.reex-share-link")
    page.check(f"input[name=mode][value={mode}]")
    page.click("input[type=submit][value='Create share link']")
    return page.input_value("#share-link")


def test_share_links_pinned_latest_and_revoked(page, new_page, live_server, artifacts_dir):
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    article = make_article(title="Gallium before the edit", status=Article.Status.REVIEW, full_brief=True)
    base = live_server.url
    log_in(page, base, "editor")
    pinned_url = make_link(page, base, article, "pinned")
    assert "Pinned version: the text as saved on" in page.locator(".reex-share-note").inner_text()
    latest_url = make_link(page, base, article, "latest")
    shoot(page, artifacts_dir, "admin-share-links.png", full_page=True)

    # The editor changes the title in the form and saves.
    page.goto(f"{base}/admin/articles/article/{article.pk}/change/")
    page.fill("#id_title", "Gallium after the edit")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert Article.objects.get(pk=article.pk).title == "Gallium after the edit"

    reviewer = new_page()
    reviewer.goto(pinned_url)
    assert reviewer.locator("h1").first.inner_text() == "Gallium before the edit"
    assert "Later edits do not show on this link." in reviewer.locator(".preview-banner").inner_text()
    reviewer.goto(latest_url)
    assert reviewer.locator("h1").first.inner_text() == "Gallium after the edit"
    assert "always shows the text as last saved" in reviewer.locator(".preview-banner").inner_text()

    # Revoked from the list on the article's page: the next load is a 404.
    pinned = ShareLink.objects.get(revision__isnull=False)
    page.goto(f"{base}/admin/articles/article/{article.pk}/change/")
    rows = page.locator("#share-links tbody tr")
    assert rows.count() == 2
    page.locator(f'tr[data-share-link="{pinned.pk}"] button.reex-revoke').click()
    page.wait_for_selector(".messagelist .success")
    assert f"…{pinned.token_hint} is revoked" in page.locator(".messagelist").inner_text()
    assert "Revoked" in page.locator(f'tr[data-share-link="{pinned.pk}"]').inner_text()
    response = reviewer.goto(pinned_url)
    assert response.status == 404
    assert reviewer.locator("h1").inner_text() == "This preview link has been withdrawn"
    assert reviewer.goto(latest_url).status == 200


def panel_counts(page) -> dict:
    return {
        panel.get_attribute("id"): int(panel.get_attribute("data-count"))
        for panel in page.locator("#newsroom-dashboard [data-count]").all()
    }


def test_dashboard_counts_and_charts_for_an_editor_and_a_writer(page, new_page, live_server, artifacts_dir):
    from tests.articles.dashboard_world import DIGEST_FIGURES, EDITOR_COUNTS, WRITER_COUNTS, build_world

    build_world()
    base = live_server.url
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    log_in(page, base, "editor")
    page.wait_for_selector("#chart-subscribers-canvas[data-drawn]")
    assert panel_counts(page) == {**EDITOR_COUNTS, "panel-drafts": 0, "panel-returned": 0, "panel-in-review": 0}
    figures = {dd.get_attribute("data-figure"): dd.inner_text() for dd in page.locator("[data-figure]").all()}
    assert figures == DIGEST_FIGURES
    drawn = {
        name: (
            page.get_attribute(f"#chart-{name}-canvas", "data-drawn"),
            page.get_attribute(f"#chart-{name}-canvas", "data-points"),
        )
        for name in ("briefs", "comments", "subscribers")
    }
    assert drawn["briefs"] == ("4", "12") and drawn["comments"] == ("6", "30") and drawn["subscribers"][1] == "12"
    # Chart.js drew something: the canvas is not blank.
    painted = page.evaluate(
        "() => { const c = document.getElementById('chart-briefs-canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"
    )
    assert painted > 500
    assert csp_errors == []
    shoot(page, artifacts_dir, "admin-dashboard.png", full_page=True)

    writer = new_page()
    log_in(writer, base, "writer")
    writer.wait_for_selector("#newsroom-dashboard")
    assert panel_counts(writer) == WRITER_COUNTS
    assert "Needs a second source" in writer.locator("#panel-returned").inner_text()
    assert writer.locator("#dashboard-charts").count() == 0
    shoot(writer, artifacts_dir, "admin-dashboard-writer.png", full_page=True)


def preview_frame(page):
    return page.frame_locator("#reex-desk-preview")


def wait_preview_past(page, version: int) -> int:
    """Wait until the preview has been redrawn after `version` (polled: the admin's CSP forbids eval)."""
    for _ in range(300):
        current = int(page.get_attribute("#reex-desk-preview", "data-version") or 0)
        if current > version:
            page.wait_for_timeout(200)  # let the iframe parse its srcdoc
            return current
        page.wait_for_timeout(100)
    raise AssertionError("the preview was not redrawn")


def test_live_preview_updates_as_the_editor_types_and_xss_stays_inert(page, live_server, artifacts_dir):
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    article = make_article(title="Preview me", status=Article.Status.DRAFT, full_brief=True)
    base = live_server.url
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, base, "editor", f"/admin/articles/article/{article.pk}/change/")
    page.wait_for_selector("#article_form")
    version = wait_preview_past(page, 0)
    assert preview_frame(page).locator("h1").first.inner_text() == "Preview me"
    assert "Live preview of unsaved changes." in preview_frame(page).locator(".preview-banner").inner_text()

    page.fill("#id_title", "Typed into the preview")
    page.fill("#id_intro", 'Hello <img src=x onerror="alert(1)"> <script>alert(2)</script> [x](javascript:alert(3))')
    version = wait_preview_past(page, version)
    frame = preview_frame(page)
    assert frame.locator("h1").first.inner_text() == "Typed into the preview"
    assert "Hello" in frame.locator(".article-brief").inner_text()
    assert frame.locator(".article-brief script").count() == 0
    assert frame.locator("[onerror]").count() == 0
    assert frame.locator("a[href^='javascript']").count() == 0
    assert dialogs == []
    assert Article.objects.get(pk=article.pk).title == "Preview me"  # nothing saved by previewing

    # The Markdown toolbar and the word count.
    page.fill("#id_bottom_line", "")
    page.locator("#id_bottom_line").focus()
    page.locator(".field-bottom_line [data-tool=bold]").click()
    assert page.input_value("#id_bottom_line") == "**bold text**"
    assert page.locator(".field-bottom_line .reex-word-count").inner_text() == "2 words"

    # The publish checklist, live: clearing the standfirst marks it missing.
    page.fill("#id_standfirst", "")
    expect(page.locator("[data-gate-item='a standfirst']")).to_have_class("reex-gate-missing")
    assert page.locator("[data-gate-item='a title']").get_attribute("class") == "reex-gate-ok"
    shoot(page, artifacts_dir, "admin-article-desk.png")


def test_autosave_recovered_after_a_crash_and_a_stale_save_still_refused(page, new_page, live_server):
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    article = make_article(title="Autosave me", status=Article.Status.DRAFT, full_brief=True)
    base = live_server.url
    change = f"/admin/articles/article/{article.pk}/change/"
    log_in(page, base, "editor", change)
    page.wait_for_selector("#article_form")
    page.fill("#id_standfirst", "Typed just before the crash.")
    page.wait_for_selector("#reex-desk-status[data-autosaved]", timeout=15000)
    page.context.close()  # the browser dies mid-edit: nothing was submitted
    assert Article.objects.get(pk=article.pk).standfirst != "Typed just before the crash."

    again = new_page()
    log_in(again, base, "editor", change)
    again.wait_for_selector("#reex-recover:not([hidden])")
    assert "were kept by autosave" in again.locator("#reex-recover").inner_text()
    assert again.locator("#reex-recover [data-stale]").is_hidden()
    again.click("#reex-recover [data-action=restore]")
    assert again.input_value("#id_standfirst") == "Typed just before the crash."

    # Someone else saves meanwhile: the restored text started from an older version and is refused.
    other = Article.objects.get(pk=article.pk)
    other.title = "Saved by someone else"
    other.save()
    again.click("input[name=_continue]")
    again.wait_for_selector("#article_form")
    assert "Someone else saved this article while you were editing it" in again.content()
    assert again.input_value("#id_standfirst") == "Typed just before the crash."  # kept in the form
    final = Article.objects.get(pk=article.pk)
    assert (final.title, final.standfirst == "Typed just before the crash.") == ("Saved by someone else", False)


def test_leaving_with_unsaved_changes_asks_first(page, live_server):
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    article = make_article(title="Do not lose me", status=Article.Status.DRAFT)
    log_in(page, live_server.url, "editor", f"/admin/articles/article/{article.pk}/change/")
    page.wait_for_selector("#article_form")
    page.fill("#id_title", "Changed and not saved")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]


def serve_media(page, media_root):
    """Serve /media/ from MEDIA_ROOT to the browser (the test server serves static files only)."""

    def handle(route):
        path = media_root / route.request.url.split("/media/", 1)[1].split("?")[0]
        if path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404, body="")

    page.route("**/media/**", handle)


CROP_JS = """(img) => {
  const box = img.getBoundingClientRect();
  const [px, py] = getComputedStyle(img).objectPosition.split(" ").map((v) => parseFloat(v) / 100);
  return {w: box.width, h: box.height, nw: img.naturalWidth, nh: img.naturalHeight, px, py};
}"""


def visible_region(m):
    """The part of the image (fractions of its width and height) that object-fit: cover shows in the box."""
    scale = max(m["w"] / m["nw"], m["h"] / m["nh"])
    shown_w, shown_h = m["w"] / (m["nw"] * scale), m["h"] / (m["nh"] * scale)
    left, top = (1 - shown_w) * m["px"], (1 - shown_h) * m["py"]
    return (left, left + shown_w), (top, top + shown_h)


def test_focal_point_set_on_a_portrait_image_stays_in_the_pages_crop(page, live_server, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from articles.images import make_renditions
    from tests.articles.test_images import image_bytes

    settings.MEDIA_ROOT = tmp_path
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    name = default_storage.save("heroes/portrait.png", ContentFile(image_bytes("PNG", size=(600, 1200))))
    article = make_article(title="A portrait hero", hero_alt="A standing figure", hero_credit="Source: test")
    Article.objects.filter(pk=article.pk).update(hero_image=name, hero_renditions=make_renditions(name))
    serve_media(page, tmp_path)

    base = live_server.url
    log_in(page, base, "editor", f"/admin/articles/article/{article.pk}/change/")
    picker = page.locator("[data-focal-picker] img")
    picker.wait_for()
    box = picker.bounding_box()
    assert box["height"] > box["width"]  # the whole portrait is shown to pick from
    picker.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.1})
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    saved = Article.objects.get(pk=article.pk)
    assert abs(saved.hero_focal_x - 0.5) < 0.02 and abs(saved.hero_focal_y - 0.1) < 0.02

    # The list shows a thumbnail cropped the same way.
    page.goto(f"{base}/admin/articles/article/")
    assert page.locator("img.reex-hero-thumb").count() == 1

    page.goto(f"{base}{saved.get_absolute_url()}")
    hero = page.locator(".hero img")
    hero.wait_for()
    page.wait_for_timeout(300)
    measured = hero.evaluate(CROP_JS)
    # A srcset candidate's natural size is scaled by its density; its shape is the portrait's (1:2).
    assert measured["nw"] > 0 and abs(measured["nh"] / measured["nw"] - 2) < 0.01
    (x0, x1), (y0, y1) = visible_region(measured)
    assert x0 <= saved.hero_focal_x <= x1 and y0 <= saved.hero_focal_y <= y1
    # The negative case: the old centred crop would have cut the point off.
    (_, _), (cy0, cy1) = visible_region({**measured, "px": 0.5, "py": 0.5})
    assert not (cy0 <= saved.hero_focal_y <= cy1)
