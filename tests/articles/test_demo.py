import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, Author, Correction, Section, Source, Transition
from comments.models import Comment

pytestmark = pytest.mark.django_db
SEED = "russias-rare-earths-crossroads"


@pytest.fixture(autouse=True)
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Section, Source, Correction, Transition, Comment)
    }


def test_load_demo_creates_the_newsroom_and_is_idempotent(capsys):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    out = capsys.readouterr().out
    assert "0 article(s) created, 10 already there." in out
    assert "editor   password: reex-editor-demo" in out
    assert len(Article.objects.published()) >= 8
    assert Article.objects.scheduled().count() == 1
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 1
    assert first["Section"] == 4 and first["Source"] == 6


def test_demo_accounts_have_roles_and_author_profiles():
    call_command("load_demo")
    editor = Author.objects.get(user__username="editor").user
    writer = Author.objects.get(user__username="writer").user
    assert [g.name for g in editor.groups.all()] == ["Editors"]
    assert [g.name for g in writer.groups.all()] == ["Writers"]
    assert editor.has_perm("articles.publish_article") and not writer.has_perm("articles.publish_article")
    assert editor.check_password("reex-editor-demo")


def test_seed_brief_uses_every_part():
    call_command("load_demo")
    article = Article.objects.get(slug=SEED)
    assert article.is_live
    assert article.highlights.count() == 3
    assert article.findings.count() == 4
    assert list(article.sections.values_list("heading", flat=True)) == ["Why Investors Should Care"]
    assert sorted(article.signals.values_list("kind", flat=True)) == ["solid", "speculative"]
    assert list(article.limitations.values_list("label", flat=True)) == [
        "Desk research bias",
        "Market opacity",
        "Technology readiness",
    ]
    source = article.citations.get().source
    assert source.doi == "10.15826/recon.2025.11.3.016"
    assert article.corrections.count() == 1
    assert {"Russia", "separation", "NdFeB"} <= set(article.tags.names())
    assert (article.hero_credit, bool(article.hero_alt), bool(article.hero_caption)) == (
        "Illustration: Rare Earth Exchanges (generated)",
        True,
        True,
    )
    assert sorted(article.hero_renditions, key=int) == ["480", "800", "1200"]
    assert "separation" in article.sections.get().body_html
    assert article.intro_html.startswith("<p>In <em>Current trends")
    assert list(Article.objects.filter(search_vector="separation").filter(pk=article.pk)) == [article]
    assert list(Transition.objects.filter(article=article).values_list("to_status", flat=True)) == [
        "published",
        "review",
    ]


def test_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("load_demo")
