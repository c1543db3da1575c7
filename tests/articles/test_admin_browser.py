"""An editor, in headless Chromium, writes a full brief in the admin, submits it, publishes it, reads it on the site."""

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from articles.management.commands._demo_images import hero_png
from articles.models import Article, Transition
from tests.factories import make_author, make_section, make_source, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The admin's address as the settings place it (ADMIN_URL), never a hardcoded /admin/.
ADMIN = f"/{settings.ADMIN_URL}"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "editor-pass-for-tests-123"


def pick_autocomplete(page, select_id: str, term: str, choice: str):
    """Choose `choice` in a Django admin autocomplete (select2) widget by typing `term`."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=choice).first.click()


def add_inline_row(page, group: str):
    page.locator(f"#{group}-group .add-row a").click()


def hero_file(tmp_path) -> Path:
    path = tmp_path / "crossroads.png"
    path.write_bytes(hero_png("Russia’s Rare Earths Crossroads", "Research Briefs", "browser-test"))
    return path


def shoot(page, artifacts_dir, name, **kwargs):
    path = artifacts_dir / name
    page.screenshot(path=str(path), **kwargs)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_SCREENSHOTS / name)
    return path


def test_editor_writes_submits_publishes_and_reads_a_full_brief(page, live_server, artifacts_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user(username="editor", password=PASSWORD, groups=["Editors"], is_staff=True)
    make_section(name="Research Briefs", slug="research-briefs")
    make_author(name="Daniel Hart", slug="daniel-hart")
    make_source(
        title="Current trends and prospects in Russia’s rare earth metals industry",
        doi="10.15826/recon.2025.11.3.016",
    )

    page.goto(f"{live_server.url}{ADMIN}login/?next={ADMIN}articles/article/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#article_form")

    page.fill("#id_title", "Russia’s Rare Earths Crossroads: A Long, Steep Trek")
    page.fill(
        "#id_standfirst",
        "Big reserves, thin refining: a new paper says Russia’s bottleneck is the midstream, not the geology.",
    )
    pick_autocomplete(page, "id_section", "Research", "Research Briefs")
    page.fill("#id_new_tags", "Russia, separation, NdFeB")
    page.set_input_files("#id_hero_image", str(hero_file(tmp_path)))
    page.fill("#id_hero_alt", "Abstract illustration of circles and hexagons behind the headline")
    page.fill("#id_hero_caption", "Experts at Ural State Mining University: promise, but…")
    page.fill("#id_hero_credit", "Source: Wikipedia")
    page.fill(
        "#id_intro",
        "In *Current trends and prospects in Russia’s rare earth metals industry* (2025), Mochalova and "
        "Podkorytov conclude that Russia remains a minor producer despite large reserves.",
    )
    page.fill("#id_bottom_line", "Russia is **potential**, not a pivot.")

    pick_autocomplete(page, "id_bylines-0-author", "Daniel", "Daniel Hart")
    for i, text in enumerate(("Large reserves, little refining.", "Home demand does not match magnet-grade trends.")):
        add_inline_row(page, "highlights")
        page.fill(f"#id_highlights-{i}-text", text)
    add_inline_row(page, "findings")
    page.fill("#id_findings-0-headline", "The rocks are there; the refineries are not.")
    page.fill("#id_findings-0-explanation", "The chain from concentrate to magnet is *fragmented*.")
    add_inline_row(page, "sections")
    page.fill("#id_sections-0-heading", "Why Investors Should Care")
    page.fill("#id_sections-0-body", "Midstream mastery, above all **separation**, is the prize and the price.")
    add_inline_row(page, "signals")
    page.select_option("#id_signals-0-kind", "solid")
    page.fill("#id_signals-0-text", "A clear diagnosis of structural gaps.")
    add_inline_row(page, "signals")
    page.select_option("#id_signals-1-kind", "speculative")
    page.fill("#id_signals-1-text", "How fast capital and technology can arrive under sanctions.")
    add_inline_row(page, "limitations")
    page.fill("#id_limitations-0-label", "Desk research bias")
    page.fill("#id_limitations-0-text", "Few plant-level data.")
    add_inline_row(page, "citations")
    pick_autocomplete(page, "id_citations-0-source", "Current trends", "Current trends")
    add_inline_row(page, "corrections")
    page.fill("#id_corrections-0-date", "2025-11-03")
    page.fill("#id_corrections-0-text", "An earlier version placed the university in Moscow.")

    form_shot = shoot(page, artifacts_dir, "admin-article-form.png", full_page=True)
    assert form_shot.stat().st_size > 50_000

    page.click("input[name=_continue]")
    page.wait_for_selector(".reex-workflow")
    assert page.locator(".messagelist .success").count() == 1, page.content()[:3000]
    article = Article.objects.get()
    assert (article.status, article.highlights.count(), article.signals.count()) == ("draft", 2, 2)
    assert article.hero_renditions
    assert page.locator(".reex-workflow .reex-status--draft").inner_text() == "Draft"

    page.click("text=Submit for review")
    page.fill("#id_note", "Ready: every part of the brief is filled in.")
    page.click("input[name=_confirm]")
    page.wait_for_selector(".reex-status--review")

    page.click("text=Publish or schedule…")
    page.wait_for_selector("#id_at_0")
    shoot(page, artifacts_dir, "admin-publish.png")
    page.click("input[name=_confirm]")
    page.wait_for_selector(".reex-workflow .reex-status--published")
    assert "is now published" in page.locator(".messagelist").inner_text()
    shoot(page, artifacts_dir, "admin-article-published.png")

    article.refresh_from_db()
    assert article.is_live
    assert list(Transition.objects.filter(article=article).order_by("at", "id").values_list("to_status", "note")) == [
        ("review", "Ready: every part of the brief is filled in."),
        ("published", ""),
    ]

    with page.context.expect_page() as new_tab:
        page.click("text=Open on the site")
    site = new_tab.value
    site.wait_for_load_state()
    assert site.url == f"{live_server.url}/news/{article.slug}/"
    body = site.locator("main").inner_text()
    for expected in (
        "Russia’s Rare Earths Crossroads: A Long, Steep Trek",
        "Large reserves, little refining.",
        "The rocks are there; the refineries are not.",
        "Why Investors Should Care",
        "Desk research bias",
        "https://doi.org/10.15826/recon.2025.11.3.016",
        "Source: Wikipedia",
    ):
        assert expected in body, expected
    shoot(site, artifacts_dir, "admin-article-on-site.png", full_page=True)

    page.goto(f"{live_server.url}{ADMIN}articles/article/")
    assert page.locator(".reex-status--published").count() == 1


def test_editor_pastes_a_source_then_compares_and_restores_revisions(
    page, live_server, artifacts_dir, settings, tmp_path
):
    """With the demo newsroom: paste a BibTeX entry, edit a brief, compare two revisions, restore the first."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False

    page.goto(f"{live_server.url}{ADMIN}login/?next={ADMIN}articles/source/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "reex-editor-demo")
    page.click("input[type=submit]")
    page.fill(
        "#id_paste",
        "@article{binnemans2013recycling,\n  author = {Binnemans, Koen and Jones, Peter Tom},\n"
        "  title = {Recycling of rare earths: a critical review (demo copy)},\n"
        "  journal = {Journal of Cleaner Production}, year = {2013}, volume = {51}, pages = {1--22}\n}",
    )
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    shoot(page, artifacts_dir, "admin-source-paste.png", full_page=True)
    assert page.input_value("#id_title") == "Recycling of rare earths: a critical review (demo copy)"
    assert page.input_value("#id_pages") == "1–22"

    page.goto(f"{live_server.url}{ADMIN}articles/article/")
    page.locator("#toggle-nav-sidebar").click()  # more room for the list, as an editor would
    badges = page.locator("td.field-status_column").all_inner_texts()
    assert sorted(set(badges)) == ["Draft", "Published", "Scheduled"]
    shoot(page, artifacts_dir, "admin-changelist.png", full_page=True)

    article = Article.objects.get(slug="separation-capacity-outside-china")
    page.goto(f"{live_server.url}{ADMIN}articles/article/{article.pk}/change/")
    page.fill("#id_title", "Separation Capacity Outside China: The Plants That Matter")
    page.fill("#id_highlights-0-text", "Commissioning a solvent extraction circuit takes years.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    page.click("a.historylink")
    page.click("input[value='Compare selected revisions']")
    page.wait_for_selector("table.diff")
    diff = page.locator("table.diff").inner_text().replace("\xa0", " ")
    assert "The Plants That Matter" in diff and "Counting the Projects" in diff
    shoot(page, artifacts_dir, "admin-compare.png", full_page=True)

    page.go_back()
    page.locator("a", has_text="Restore…").first.click()
    page.click("input[value='Restore this revision']")
    page.wait_for_selector(".messagelist .success")
    article.refresh_from_db()
    assert article.title == "Separation Capacity Outside China: Counting the Projects That Matter"
    assert article.highlights.first().text == "Solvent extraction circuits take years to commission and tune."
    assert article.is_live
