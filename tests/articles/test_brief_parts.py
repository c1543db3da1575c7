"""The parts of a brief are declared once (articles.models.BRIEF_PARTS); every consumer must follow it.

Each test walks the declaration and checks one consumer with real rows: the reader query, reading time,
revisions and their snapshots, the page cache's invalidation and the admin inlines. A part added to the
declaration that a consumer ignores fails here, and so does a part model left out of the declaration.
"""

import pytest
import reversion
from django.apps import apps
from django.contrib import admin

from articles.models import BRIEF_PARTS, Article, BriefPart, Correction
from articles.queries import JOINED_PARTS, attach_brief, with_brief
from articles.revisions import PART_ORDER, article_snapshot, snapshot_lines
from tests.factories import make_article

pytestmark = pytest.mark.django_db

DECLARED = [part.model for part in BRIEF_PARTS]


@pytest.fixture
def article():
    article = make_article(full_brief=True, tags=["terbium"])
    Correction.objects.create(article=article, text="The plant opened in 2024, not 2023.")
    return Article.objects.get(pk=article.pk)


def test_every_part_model_is_declared_once():
    # Every model of the app that belongs to one article and is part of what editors write.
    ordered_parts = {model for model in apps.get_app_config("articles").get_models() if issubclass(model, BriefPart)}
    assert ordered_parts | {apps.get_model("articles", "ArticleAuthor"), Correction} == set(DECLARED)
    assert len(DECLARED) == len(set(DECLARED))
    for part in BRIEF_PARTS:
        for field in part.text_fields:
            part.model._meta.get_field(field)  # a typo in the declaration fails here
        assert part.label and part.admin_title


def test_the_reader_query_carries_every_part(article):
    loaded = attach_brief(with_brief(Article.objects.filter(pk=article.pk)).get())
    for part in BRIEF_PARTS:
        rows = list(getattr(article, part.related_name).all())
        assert rows, f"the fixture has no {part.label}"
        if part.reader_fields is None:
            assert part.related_name in JOINED_PARTS, f"{part.label}: no reader_fields and no join in queries"
            assert len(getattr(loaded, JOINED_PARTS[part.related_name])) == len(rows), part.label
        else:
            shown = getattr(loaded, f"{part.related_name}_list")
            assert [row.pk for row in shown] == [row.pk for row in rows], part.label
            for field in part.reader_fields:
                assert [getattr(row, field) for row in shown] == [getattr(row, field) for row in rows], field


def test_reading_time_counts_every_part_that_says_so(article, monkeypatch):
    # One word a minute, so that any text a part adds shows in the count.
    monkeypatch.setattr("articles.models.WORDS_PER_MINUTE", 1)
    for part in BRIEF_PARTS:
        row = getattr(article, part.related_name).first()
        before = Article.objects.get(pk=article.pk).compute_reading_time()
        for field in part.text_fields:
            setattr(row, field, getattr(row, field) + " three more words")
        row.save()
        after = Article.objects.get(pk=article.pk).compute_reading_time()
        counted = part.reading_time and part.text_fields
        assert after - before == (3 * len(part.text_fields) if counted else 0), part.label


def test_revisions_follow_every_part(article):
    options = reversion.revisions._get_options(Article)
    assert set(options.follow) == {part.related_name for part in BRIEF_PARTS}
    for part in BRIEF_PARTS:
        assert reversion.is_registered(part.model), part.label
    assert [model._meta.model_name for model in DECLARED] == PART_ORDER
    snapshot = article_snapshot(article)
    lines = snapshot_lines(snapshot)
    for part in BRIEF_PARTS:
        name = part.model._meta.model_name
        assert len(snapshot["parts"][name]) == getattr(article, part.related_name).count(), part.label
        assert any(line.startswith(part.label) for line in lines), part.label


def test_changing_any_part_forgets_the_article_page(client, article):
    url = article.get_absolute_url()
    for part in BRIEF_PARTS:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
        getattr(article, part.related_name).first().save()
        assert client.get(url)["X-Page-Cache"] == "miss", f"saving a {part.label} left the page cached"
        client.get(url)
        getattr(article, part.related_name).first().delete()
        assert client.get(url)["X-Page-Cache"] == "miss", f"deleting a {part.label} left the page cached"


def test_the_admin_edits_every_part_in_declared_order():
    model_admin = admin.site._registry[Article]
    inlines = model_admin.inlines
    assert [inline.model for inline in inlines] == DECLARED
    for inline, part in zip(inlines, BRIEF_PARTS, strict=True):
        assert inline.verbose_name_plural == part.admin_title
        assert list(inline.fields) == list(part.admin_fields)
