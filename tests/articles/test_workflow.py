"""Every move of the editorial workflow, allowed and refused, through the service functions."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Transition
from articles.services import (
    WorkflowError,
    article_moves_available,
    article_publish,
    article_return_to_draft,
    article_submit,
    article_unpublish,
)
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def editor():
    return make_user(username="ed", groups=["Editors"], is_staff=True)


@pytest.fixture
def writer():
    return make_user(username="wri", groups=["Writers"], is_staff=True)


def draft_by(user, **extra):
    return make_article(status=S.DRAFT, created_by=user, **extra)


def moves(article):
    return list(
        Transition.objects.filter(article=article)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "by__username", "note")
    )


def test_full_path_draft_review_published_unpublished_republished(writer, editor):
    article = draft_by(writer)
    article_submit(article=article, by=writer, note="Ready")
    assert article.status == S.REVIEW
    article_publish(article=article, by=editor)
    assert article.is_live
    first = article.first_published_at
    assert first is not None and first == article.published_at
    article_unpublish(article=article, by=editor, note="Legal check")
    assert article.status == S.UNPUBLISHED
    article_publish(article=article, by=editor, note="Cleared")
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.first_published_at == first  # the first publication is never moved
    assert moves(article) == [
        ("draft", "review", "wri", "Ready"),
        ("review", "published", "ed", ""),
        ("published", "unpublished", "ed", "Legal check"),
        ("unpublished", "published", "ed", "Cleared"),
    ]


def test_transition_records_who_and_when(writer):
    article = draft_by(writer)
    before = timezone.now()
    article_submit(article=article, by=writer)
    transition = Transition.objects.get(article=article)
    assert transition.by == writer
    assert before <= transition.at <= timezone.now()


def test_return_to_draft_from_review_and_from_unpublished(writer, editor):
    article = draft_by(writer)
    article_submit(article=article, by=writer)
    article_return_to_draft(article=article, by=editor, note="Needs sources")
    assert article.status == S.DRAFT
    article_submit(article=article, by=writer)
    article_publish(article=article, by=editor)
    article_unpublish(article=article, by=editor)
    article_return_to_draft(article=article, by=editor)
    assert article.status == S.DRAFT
    assert [m[:2] for m in moves(article)][-2:] == [("published", "unpublished"), ("unpublished", "draft")]


def test_scheduling_is_invisible_until_its_time_without_any_job(writer, editor):
    article = draft_by(writer)
    article_submit(article=article, by=writer)
    at = timezone.now() + timedelta(seconds=2)
    article_publish(article=article, by=editor, at=at)
    assert article.status == S.PUBLISHED
    assert list(Article.objects.published()) == []
    assert list(Article.objects.scheduled()) == [article]
    assert "Scheduled for" in Transition.objects.get(article=article, to_status=S.PUBLISHED).note
    # Time passes (we move the clock by moving the time into the past, which is what waiting does).
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert list(Article.objects.published()) == [article]


def test_a_scheduled_article_can_be_rescheduled_or_published_now(writer, editor):
    article = draft_by(writer)
    article_submit(article=article, by=writer)
    article_publish(article=article, by=editor, at=timezone.now() + timedelta(days=3))
    article_publish(article=article, by=editor, at=timezone.now() + timedelta(days=1))
    assert article.is_scheduled
    article_publish(article=article, by=editor)
    assert article.is_live


def test_unpublishing_a_scheduled_article_clears_its_first_publication(writer, editor):
    article = draft_by(writer)
    article_submit(article=article, by=writer)
    article_publish(article=article, by=editor, at=timezone.now() + timedelta(days=3))
    article_unpublish(article=article, by=editor)
    article.refresh_from_db()
    assert (article.status, article.first_published_at) == (S.UNPUBLISHED, None)


@pytest.mark.parametrize(
    ("status", "service", "message"),
    [
        (S.REVIEW, article_submit, "only draft or unpublished articles can be submitted for review"),
        (S.PUBLISHED, article_submit, "it is published"),
        (S.DRAFT, article_publish, "is a draft: submit it for review before publishing it"),
        (S.PUBLISHED, article_publish, "is already published"),
        (S.DRAFT, article_unpublish, "only published articles can be unpublished"),
        (S.REVIEW, article_unpublish, "it is in review"),
        (S.UNPUBLISHED, article_unpublish, "it is unpublished"),
        (S.DRAFT, article_return_to_draft, "only in review or unpublished articles can be returned to draft"),
        (S.PUBLISHED, article_return_to_draft, "cannot be returned to draft"),
    ],
)
def test_invalid_moves_are_refused_with_a_clear_message_and_nothing_changes(editor, status, service, message):
    article = make_article(status=status, created_by=editor)
    version = Article.objects.get(pk=article.pk).version
    with pytest.raises(WorkflowError) as exc:
        service(article=article, by=editor)
    assert message in str(exc.value)
    article.refresh_from_db()
    assert (article.status, article.version) == (status, version)
    assert Transition.objects.count() == 0


def test_publish_gate_lists_every_missing_item(editor):
    article = make_article(status=S.REVIEW, standfirst="", section=None, authors=[])
    Article.objects.filter(pk=article.pk).update(section=None)
    article.hero_image.save("hero.png", ContentFile(b"not checked here"), save=False)
    Article.objects.filter(pk=article.pk).update(hero_image=article.hero_image.name, hero_alt="", hero_credit="")
    with pytest.raises(WorkflowError) as exc:
        article_publish(article=article, by=editor)
    assert exc.value.missing == [
        "a standfirst",
        "a section",
        "at least one author",
        "alt text for the hero image",
        "a credit for the hero image",
    ]
    assert str(exc.value) == (
        f"“{article.title}” cannot be published yet. It needs: a standfirst, a section, at least one author, "
        "alt text for the hero image, a credit for the hero image."
    )
    article.refresh_from_db()
    assert article.status == S.REVIEW
    assert Transition.objects.count() == 0
    article.hero_image.delete(save=False)


def test_publish_gate_passes_once_fixed(editor):
    article = make_article(status=S.REVIEW, standfirst="", authors=[])
    with pytest.raises(WorkflowError) as exc:
        article_publish(article=article, by=editor)
    assert exc.value.missing == ["a standfirst", "at least one author"]
    Article.objects.filter(pk=article.pk).update(standfirst="Now it has one.")
    ArticleAuthor.objects.create(article=article, author=make_article().authors.first())
    article_publish(article=article, by=editor)
    assert article.is_live


def test_naive_publication_time_is_refused(editor):
    article = make_article(status=S.REVIEW)
    with pytest.raises(WorkflowError, match="time zone"):
        article_publish(article=article, by=editor, at=timezone.now().replace(tzinfo=None))


# --- Who may move what ---------------------------------------------------------------------


def test_writer_cannot_publish_or_unpublish(writer):
    article = draft_by(writer)
    article_submit(article=article, by=writer)
    with pytest.raises(WorkflowError, match="Only editors can publish"):
        article_publish(article=article, by=writer)
    live = make_article(created_by=writer)
    with pytest.raises(WorkflowError, match="Only editors can unpublish"):
        article_unpublish(article=live, by=writer)
    assert Article.objects.get(pk=live.pk).status == S.PUBLISHED


def test_writer_cannot_submit_someone_elses_draft(writer):
    other = make_user(groups=["Writers"], is_staff=True)
    article = draft_by(other)
    with pytest.raises(WorkflowError, match="only your own articles"):
        article_submit(article=article, by=writer)
    assert Article.objects.get(pk=article.pk).status == S.DRAFT


def test_writer_may_withdraw_own_submission_but_not_anothers(writer):
    own = draft_by(writer)
    article_submit(article=own, by=writer)
    article_return_to_draft(article=own, by=writer, note="Withdrawn")
    assert own.status == S.DRAFT
    other = make_user(groups=["Writers"], is_staff=True)
    theirs = draft_by(other)
    article_submit(article=theirs, by=other)
    with pytest.raises(WorkflowError, match="Only an editor"):
        article_return_to_draft(article=theirs, by=writer)


def test_inactive_editor_cannot_publish(editor):
    editor.is_active = False
    editor.save()
    article = make_article(status=S.REVIEW)
    with pytest.raises(WorkflowError):
        article_publish(article=article, by=editor)


def test_scheduled_article_appears_on_the_site_by_itself_when_its_time_comes(client, writer, editor):
    """No job runs here: the reader page simply starts answering once the publication time has passed."""
    import time

    article = draft_by(writer, full_brief=True)
    article_submit(article=article, by=writer)
    article_publish(article=article, by=editor, at=timezone.now() + timedelta(seconds=2))
    assert client.get(article.get_absolute_url()).status_code == 404
    deadline = time.monotonic() + 30
    while timezone.now() <= article.published_at and time.monotonic() < deadline:
        time.sleep(0.2)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert article.title in response.content.decode()


SERVICES = {
    "submit": article_submit,
    "publish": article_publish,
    "unpublish": article_unpublish,
    "return_to_draft": article_return_to_draft,
}
STATES = {
    "draft": {"status": S.DRAFT},
    "review": {"status": S.REVIEW},
    "scheduled": {"status": S.PUBLISHED, "published_at_delta": timedelta(days=1)},
    "published": {"status": S.PUBLISHED, "published_at_delta": -timedelta(hours=1)},
    "unpublished": {"status": S.UNPUBLISHED},
}


def _article_in(state: str, created_by) -> Article:
    spec = STATES[state]
    delta = spec.get("published_at_delta")
    return make_article(
        status=spec["status"], created_by=created_by, published_at=timezone.now() + delta if delta else None
    )


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("role", ["editor", "own writer", "other writer"])
def test_the_moves_offered_are_exactly_the_moves_the_services_accept(state, role, editor, writer):
    """The admin's buttons come from article_moves_available; each must agree with its service."""
    owner = writer if role == "own writer" else make_user(username="someone", groups=["Writers"], is_staff=True)
    user = editor if role == "editor" else writer
    offered = article_moves_available(article=_article_in(state, owner), user=user)
    accepted = []
    for move, service in SERVICES.items():
        article = _article_in(state, owner)  # a fresh one per move: a move changes the article
        try:
            service(article=article, by=user)
        except WorkflowError:
            continue
        accepted.append(move)
    assert offered == accepted
    assert offered != list(SERVICES)  # no state allows every move
