from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Finding, Highlight, SlugRedirect
from articles.services import article_refresh
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def test_slug_is_generated_from_the_title():
    article = Article.objects.create(title="Russia’s Rare Earths: A Long, Steep Trek!")
    assert article.slug == "russias-rare-earths-a-long-steep-trek"


def test_slug_is_unique_with_a_numbered_suffix():
    slugs = [Article.objects.create(title="Lynas under the microscope").slug for _ in range(3)]
    assert slugs == ["lynas-under-the-microscope", "lynas-under-the-microscope-2", "lynas-under-the-microscope-3"]


def test_slug_of_a_title_without_letters():
    assert Article.objects.create(title="???").slug == "article"


def test_a_new_slug_avoids_an_old_slug_that_still_redirects():
    old = make_article(slug="magnets")
    old.slug = "magnets-2026"
    old.save()
    assert Article.objects.create(title="Magnets").slug == "magnets-2"


def test_changing_a_published_articles_slug_keeps_a_redirect():
    article = make_article(slug="first-address")
    article.slug = "second-address"
    article.save()
    article.slug = "third-address"
    article.save()
    redirects = dict(SlugRedirect.objects.values_list("old_slug", "article_id"))
    assert redirects == {"first-address": article.pk, "second-address": article.pk}


def test_changing_back_to_an_old_slug_removes_its_redirect():
    article = make_article(slug="one")
    article.slug = "two"
    article.save()
    article.slug = "one"
    article.save()
    assert list(SlugRedirect.objects.values_list("old_slug", flat=True)) == ["two"]


def test_a_draft_never_published_changes_slug_without_a_redirect():
    article = make_article(slug="draft-slug", status=Article.Status.DRAFT)
    article.slug = "better-slug"
    article.save()
    assert SlugRedirect.objects.count() == 0


def test_version_is_incremented_on_every_save():
    article = make_article()
    assert article.version == 1
    article.save()
    article.save(update_fields=["title"])
    article.refresh_from_db()
    assert article.version == 3


def test_reading_time_counts_every_part_after_refresh():
    article = make_article(intro="word " * 300)
    assert article.reading_time == 1  # 300 words + title and standfirst, at 230 a minute
    Finding.objects.create(article=article, headline="Finding", explanation="word " * 400)
    Highlight.objects.create(article=article, text="word " * 60)
    article_refresh(article=article)
    article.refresh_from_db()
    assert article.reading_time == 3


def test_refresh_makes_the_article_findable_by_its_parts():
    article = make_article(title="Plain title")
    Finding.objects.create(article=article, headline="Solvent extraction", explanation="Cerium separation costs.")
    article_refresh(article=article)
    found = Article.objects.filter(search_vector="separation").values_list("pk", flat=True)
    assert list(found) == [article.pk]


def test_published_excludes_drafts_review_unpublished_and_future():
    section = make_section()
    live = make_article(section=section)
    make_article(section=section, status=Article.Status.DRAFT)
    make_article(section=section, status=Article.Status.REVIEW)
    make_article(section=section, status=Article.Status.UNPUBLISHED, published_at=timezone.now())
    future = make_article(section=section, published_at=timezone.now() + timedelta(hours=2))
    assert list(Article.objects.published()) == [live]
    assert list(Article.objects.scheduled()) == [future]
    assert (future.is_scheduled, future.display_status, live.display_status) == (True, "Scheduled", "Published")
