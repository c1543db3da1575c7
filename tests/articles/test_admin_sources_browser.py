"""An editor, in headless Chromium, presses "Fill from DOI" in the Source admin, reviews the filled fields, saves."""

import pytest

from articles.models import Source
from tests.articles import doi_fake_server
from tests.articles.doi_fake_server import BUSY
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
doi_server = doi_fake_server.doi_server
PASSWORD = "editor-pass-for-tests-123"


def test_fill_from_doi_fills_the_form_and_saves_only_when_the_editor_saves(
    page, live_server, doi_server, artifacts_dir
):
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/source/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#source_form")

    # A failure first: the message says what happened; nothing is filled.
    page.fill("#id_doi", BUSY)
    page.click("#fill-from-doi")
    page.wait_for_selector("#fill-from-doi-status.errornote")
    assert page.inner_text("#fill-from-doi-status") == (
        "Crossref is limiting how often we may ask (too many requests). Wait a minute and try again."
    )
    assert page.input_value("#id_title") == ""

    page.fill("#id_doi", "https://doi.org/10.3133/MCS2025")
    page.click("#fill-from-doi")
    page.wait_for_selector("#fill-from-doi-status.success")
    assert page.inner_text("#fill-from-doi-status") == "Filled from Crossref. Check every field before you save."
    assert page.input_value("#id_title") == "Mineral commodity summaries 2025"
    assert page.input_value("#id_authors") == "org: U.S. Geological Survey"
    assert page.input_value("#id_kind") == "report"
    assert page.input_value("#id_institution") == "US Geological Survey"
    assert page.input_value("#id_year") == "2025"
    assert page.input_value("#id_evidence") == "report"
    page.screenshot(path=str(artifacts_dir / "admin-source-fill-from-doi.png"), full_page=True)
    assert Source.objects.count() == 0  # the look-up alone saves nothing

    page.fill("#id_institution", "U.S. Geological Survey")  # the editor corrects what they review
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    source = Source.objects.get()
    assert (source.kind, source.authors, source.institution, source.doi) == (
        "report",
        "org: U.S. Geological Survey",
        "U.S. Geological Survey",
        "10.3133/mcs2025",
    )
