"""The article admin as an editor uses it: create with every part, changelist, filters, actions, workflow pages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, SlugRedirect, Transition
from tests.articles.admin_helpers import article_post_data, existing_rows
from tests.factories import make_article, make_author, make_section, make_source, make_user

pytestmark = pytest.mark.django_db
S = Article.Status
ADD_URL = reverse("admin:articles_article_add")
CHANGELIST = reverse("admin:articles_article_changelist")


def form_errors(response):
    if not response.context:
        return response
    errors = [response.context["adminform"].form.errors]
    errors += [
        (fs.formset.prefix, fs.formset.errors, fs.formset.non_form_errors())
        for fs in response.context["inline_admin_formsets"]
    ]
    return errors


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def workflow_url(article, move):
    return reverse("admin:articles_article_workflow", args=[article.pk, move])


@pytest.fixture
def editor(client):
    user = make_user(username="editor1", groups=["Editors"], is_staff=True)
    client.force_login(user)
    return user


def full_brief_post(section, author, source, **fields):
    return article_post_data(
        title=fields.pop("title", "Russia’s rare earths crossroads"),
        standfirst="Big reserves, thin refining: a sober roadmap.",
        section=str(section.pk),
        new_tags="Russia, separation, NdFeB",
        intro="In *Current trends* (2025), the authors conclude <script>alert(1)</script>that Russia lags.",
        bottom_line="Russia is **potential**, not a pivot.",
        inlines={
            "bylines": [{"author": str(author.pk), "position": "0"}],
            "highlights": [{"text": "Reserves are large."}, {"text": "Demand does not match."}],
            "findings": [{"headline": "Rocks, not refineries.", "explanation": "Chains are *fragmented*."}],
            "sections": [
                {"heading": "Why Investors Should Care", "body": "Midstream mastery (separation) is the prize."}
            ],
            "signals": [
                {"kind": "solid", "text": "Clear diagnosis."},
                {"kind": "speculative", "text": "Pace of build-out."},
            ],
            "limitations": [{"label": "Desk research bias", "text": "Few plant-level data."}],
            "citations": [{"source": str(source.pk)}],
            "corrections": [{"date": "2025-11-03", "text": "An earlier version misnamed the university."}],
        },
        **fields,
    )


def test_editor_creates_an_article_with_every_part_of_the_brief(client, editor):
    section, author, source = make_section(), make_author(), make_source()
    response = client.post(ADD_URL, full_brief_post(section, author, source))
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert (article.slug, article.status, article.created_by) == ("russias-rare-earths-crossroads", S.DRAFT, editor)
    assert article.intro_html == "<p>In <em>Current trends</em> (2025), the authors conclude that Russia lags.</p>"
    assert sorted(article.tags.names()) == ["NdFeB", "Russia", "separation"]
    assert list(article.highlights.values_list("text", "position")) == [
        ("Reserves are large.", 0),
        ("Demand does not match.", 1),
    ]
    assert article.findings.get().explanation_html == "<p>Chains are <em>fragmented</em>.</p>"
    assert list(article.signals.values_list("kind", flat=True)) == ["solid", "speculative"]
    assert [b.author for b in article.bylines.all()] == [author]
    assert article.citations.get().source == source
    assert article.corrections.get().text.startswith("An earlier version")
    assert article.sections.get().heading == "Why Investors Should Care"
    # Derived after the inlines are saved: the search vector knows the free section's words.
    assert list(Article.objects.filter(search_vector="separation")) == [article]
    # One revision, with every part in it.
    version = Version.objects.get_for_object(article).get()
    models = sorted(v.content_type.model for v in version.revision.version_set.all())
    assert models == [
        "article",
        "articleauthor",
        "briefsection",
        "citation",
        "correction",
        "finding",
        "highlight",
        "highlight",
        "limitation",
        "signal",
        "signal",
    ]


def test_add_form_has_inlines_in_reading_order_and_help_texts(client, editor):
    html = client.get(ADD_URL).content.decode()
    headings = [
        "Bylines (authors",
        "Highlights (",
        "Findings (",
        "Free sections (",
        "Signals vs. noise (",
        "Limitations (",
        "Citations (",
        "Corrections (",
    ]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "Also used in lists, search results, the meta description and the daily newsletter." in html
    assert 'data-model-name="tag"' not in html or "admin-autocomplete" in html
    assert html.count("admin-autocomplete") >= 3  # tags, authors, sources (and section)


def test_change_form_shows_status_buttons_preview_share_and_history(client, editor):
    article = make_article(status=S.REVIEW, created_by=editor)
    Transition.objects.create(article=article, from_status=S.DRAFT, to_status=S.REVIEW, by=editor, note="Please look")
    html = client.get(change_url(article)).content.decode()
    assert "reex-status--review" in html
    assert f'href="{workflow_url(article, "publish")}"' in html
    assert f'href="{workflow_url(article, "return_to_draft")}"' in html
    assert f'href="{workflow_url(article, "submit")}"' not in html
    assert f'href="/preview/{article.pk}/"' in html
    assert reverse("admin:articles_article_share", args=[article.pk]) in html
    assert "Workflow history" in html and "Please look" in html


def test_workflow_pages_submit_then_schedule_then_publish_now(client, editor):
    article = make_article(status=S.DRAFT, created_by=editor)
    response = client.post(workflow_url(article, "submit"), {"note": "Ready for review"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == S.REVIEW
    tomorrow = timezone.localtime() + timedelta(days=1)
    response = client.post(
        workflow_url(article, "publish"),
        {"note": "", "at_0": tomorrow.strftime("%Y-%m-%d"), "at_1": tomorrow.strftime("%H:%M:%S")},
        follow=True,
    )
    article.refresh_from_db()
    assert article.is_scheduled
    assert "is scheduled for" in response.content.decode()
    client.post(workflow_url(article, "publish"), {"note": "", "at_0": "", "at_1": ""})
    article.refresh_from_db()
    assert article.is_live
    assert list(
        Transition.objects.filter(article=article).order_by("at", "id").values_list("to_status", flat=True)
    ) == [
        "review",
        "published",
        "published",
    ]


def test_publish_page_lists_every_missing_item_and_changes_nothing(client, editor):
    article = make_article(status=S.REVIEW, standfirst="", authors=[])
    response = client.post(workflow_url(article, "publish"), {"note": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be published yet. It needs: a standfirst, at least one author." in html
    assert "Missing: a standfirst" in html and "Missing: at least one author" in html
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_refused_move_on_workflow_page_shows_clear_message(client, editor):
    article = make_article(status=S.DRAFT)
    response = client.post(workflow_url(article, "unpublish"), {"note": ""})
    assert "only published articles can be unpublished" in response.content.decode()
    assert client.get(workflow_url(article, "fly")).status_code == 404


def test_slug_change_of_published_article_via_admin_creates_redirect(client, editor):
    article = make_article(slug="old-address", created_by=editor, full_brief=True)
    data = article_post_data(article=article, inlines=existing_rows(article), slug="new-address")
    assert client.post(change_url(article), data).status_code == 302
    assert SlugRedirect.objects.get().old_slug == "old-address"
    response = client.get("/news/old-address/")
    assert response.status_code == 301, (response.status_code, response.content[:2000])
    assert (response.status_code, response["Location"]) == (301, "/news/new-address/")


def test_hero_image_needs_alt_text_in_the_form(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from tests.articles.test_images import image_bytes, upload

    data = article_post_data(title="With a picture", hero_image=upload(image_bytes("PNG", size=(900, 500))))
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Describe what the image shows" in response.content.decode()
    assert Article.objects.count() == 0


def test_image_upload_errors_are_form_errors_not_500(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from tests.articles.test_images import bomb_png, upload

    data = article_post_data(title="Bomb", hero_alt="x", hero_image=upload(bomb_png(), "bomb.png"))
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "the limit is 40 megapixels" in response.content.decode()
    data = article_post_data(title="Fake", hero_alt="x", hero_image=upload(b"%PDF-1.4 fake", "x.jpg"))
    assert "not a JPEG, PNG, WebP or GIF image" in client.post(ADD_URL, data).content.decode()
    assert Article.objects.count() == 0


def test_uploaded_hero_is_stored_clean_with_renditions(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from tests.articles.test_images import image_bytes, upload

    data = article_post_data(
        title="Picture",
        hero_alt="A separation plant",
        hero_credit="Source: Wikipedia",
        hero_image=upload(image_bytes("PNG", size=(1300, 700)) + b"<script>x</script>", "plant.png"),
    )
    assert client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get()
    assert article.hero_image.name.startswith("heroes/") and article.hero_image.name.endswith(".png")
    assert b"<script" not in (tmp_path / article.hero_image.name).read_bytes()
    assert sorted(article.hero_renditions, key=int) == ["480", "800", "1200"]


# --- Changelist -------------------------------------------------------------------------------


def test_changelist_shows_badges_sections_authors_and_publication_time(client, editor):
    section = make_section(name="Policy")
    author = make_author(name="Ada Lovelace")
    make_article(title="Live one", section=section, authors=[author])
    make_article(title="Future one", section=section, published_at=timezone.now() + timedelta(days=2))
    make_article(title="Draft one", status=S.DRAFT)
    make_article(title="Review one", status=S.REVIEW)
    make_article(title="Pulled one", status=S.UNPUBLISHED, published_at=timezone.now())
    html = client.get(CHANGELIST).content.decode()
    for key, label in [
        ("published", "Published"),
        ("scheduled", "Scheduled"),
        ("draft", "Draft"),
        ("review", "In review"),
        ("unpublished", "Unpublished"),
    ]:
        assert f"reex-status--{key}" in html and f">{label}</span>" in html
    assert "Ada Lovelace" in html and "Policy" in html


@pytest.mark.parametrize(
    ("status_filter", "expected"),
    [
        ("draft", ["Draft one"]),
        ("review", ["Review one"]),
        ("scheduled", ["Future one"]),
        ("published", ["Live one"]),
        ("unpublished", ["Pulled one"]),
    ],
)
def test_status_filter(client, editor, status_filter, expected):
    make_article(title="Live one")
    make_article(title="Future one", published_at=timezone.now() + timedelta(days=2))
    make_article(title="Draft one", status=S.DRAFT)
    make_article(title="Review one", status=S.REVIEW)
    make_article(title="Pulled one", status=S.UNPUBLISHED, published_at=timezone.now())
    response = client.get(CHANGELIST, {"status": status_filter})
    assert [a.title for a in response.context["cl"].result_list] == expected


def test_section_author_tag_and_search_filters(client, editor):
    s1, s2 = make_section(), make_section()
    a1, a2 = make_author(), make_author()
    one = make_article(title="Cerium prices", section=s1, authors=[a1], tags=["cerium"])
    two = make_article(title="Lynas results", section=s2, authors=[a2], tags=["lynas"])

    def titles(params):
        return [a.title for a in client.get(CHANGELIST, params).context["cl"].result_list]

    assert titles({"section__id__exact": s1.pk}) == [one.title]
    assert titles({"author": a2.pk}) == [two.title]
    assert titles({"tag": "lynas"}) == [two.title]
    assert titles({"q": "cerium"}) == [one.title]


def _changelist_queries(client, n):
    section = make_section()
    authors = [make_author(), make_author()]
    for i in range(n):
        make_article(section=section, authors=authors, tags=[f"tag{i % 3}"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == n
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_rows(client, editor):
    five = _changelist_queries(client, 5)
    Article.objects.all().delete()
    thirty = _changelist_queries(client, 30)
    assert five == thirty
    assert five < 25


def test_changelist_actions_publish_and_unpublish_report_each_refusal(client, editor):
    ready = make_article(title="Ready", status=S.REVIEW)
    draft = make_article(title="Still a draft", status=S.DRAFT)
    response = client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [ready.pk, draft.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 article published." in html
    assert "“Still a draft” is a draft: submit it for review before publishing it." in html
    ready.refresh_from_db()
    draft.refresh_from_db()
    assert (ready.is_live, draft.status) == (True, S.DRAFT)
    client.post(CHANGELIST, {"action": "unpublish_selected", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.status == S.UNPUBLISHED


def test_changelist_submit_action(client, editor):
    draft = make_article(status=S.DRAFT)
    client.post(CHANGELIST, {"action": "submit_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == S.REVIEW


def test_editors_group_can_moderate_comments():
    perms = set(Group.objects.get(name="Editors").permissions.values_list("content_type__app_label", "codename"))
    assert {("comments", "change_comment"), ("comments", "delete_comment"), ("comments", "view_comment")} <= perms
    assert ("articles", "publish_article") in perms
    writer_perms = set(Group.objects.get(name="Writers").permissions.values_list("codename", flat=True))
    assert "publish_article" not in writer_perms and "edit_any_article" not in writer_perms
    assert "change_comment" not in writer_perms
