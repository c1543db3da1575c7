"""No lost edits: two people editing the same article from the same version."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles.models import Article, Highlight
from tests.articles.admin_helpers import article_post_data, existing_rows
from tests.factories import make_article, make_user


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_second_save_from_the_same_version_is_refused_and_keeps_their_input():
    alice = make_user(username="alice", groups=["Editors"], is_staff=True)
    bob = make_user(username="bob", groups=["Editors"], is_staff=True)
    article = make_article(title="Original", full_brief=True)
    a, b = logged_in(alice), logged_in(bob)
    # Both open the form: each gets the same starting version in the hidden field.
    for client in (a, b):
        html = client.get(change_url(article)).content.decode()
        assert f'name="expected_version" value="{article.version}"' in html
    start = article_post_data(article=article, inlines=existing_rows(article))

    assert a.post(change_url(article), {**start, "title": "Alice's title"}).status_code == 302

    bobs = {**start, "title": "Bob's title", "standfirst": "Bob's careful standfirst."}
    bobs["highlights-TOTAL_FORMS"] = str(int(bobs["highlights-TOTAL_FORMS"]) + 1)
    bobs[f"highlights-{int(bobs['highlights-TOTAL_FORMS']) - 1}-text"] = "Bob's new highlight"
    bobs[f"highlights-{int(bobs['highlights-TOTAL_FORMS']) - 1}-position"] = "0"
    response = b.post(change_url(article), bobs)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this article while you were editing it (alice," in html
    assert "Nothing was saved" in html
    # Bob's input is still on the form, including the inline row he added.
    assert 'value="Bob&#x27;s title"' in html
    assert "Bob&#x27;s careful standfirst." in html
    assert "Bob&#x27;s new highlight" in html
    article.refresh_from_db()
    assert article.title == "Alice's title"
    assert not Highlight.objects.filter(text="Bob's new highlight").exists()


@pytest.mark.django_db
def test_saving_twice_in_a_row_from_fresh_forms_is_fine():
    alice = make_user(username="alice", groups=["Editors"], is_staff=True)
    article = make_article(title="One", full_brief=True)
    client = logged_in(alice)
    assert (
        client.post(
            change_url(article), article_post_data(article=article, inlines=existing_rows(article), title="Two")
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert (
        client.post(
            change_url(article), article_post_data(article=article, inlines=existing_rows(article), title="Three")
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert article.title == "Three"


@pytest.mark.django_db
def test_a_post_without_the_version_is_refused_not_guessed():
    alice = make_user(username="alice", groups=["Editors"], is_staff=True)
    article = make_article(title="One", full_brief=True)
    data = article_post_data(article=article, inlines=existing_rows(article), title="Two")
    data.pop("expected_version")
    response = logged_in(alice).post(change_url(article), data)
    assert response.status_code == 200
    assert "Someone else saved this article" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_truly_concurrent_saves_one_wins_one_is_told():
    alice = make_user(username="alice", groups=["Editors"], is_staff=True)
    bob = make_user(username="bob", groups=["Editors"], is_staff=True)
    article = make_article(title="Original", full_brief=True)
    start = article_post_data(article=article, inlines=existing_rows(article))
    barrier = threading.Barrier(2)
    results = {}

    def save(user, title):
        client = logged_in(user)
        barrier.wait()
        try:
            results[title] = client.post(change_url(article), {**start, "title": title}).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, t)) for u, t in ((alice, "By Alice"), (bob, "By Bob"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [200, 302]
    winner = next(title for title, status in results.items() if status == 302)
    article.refresh_from_db()
    assert article.title == winner
    assert article.version == start_version_plus_one(start)


def start_version_plus_one(start):
    return int(start["expected_version"]) + 1


@pytest.mark.django_db
def test_workflow_move_meanwhile_also_counts_as_a_change():
    """A status change by an editor bumps the version, so a form opened before it must be reloaded."""
    from articles.services import article_submit

    alice = make_user(username="alice", groups=["Editors"], is_staff=True)
    article = make_article(title="Draft", status=Article.Status.DRAFT, created_by=alice, full_brief=True)
    start = article_post_data(article=article, inlines=existing_rows(article))
    article_submit(article=article, by=alice)
    response = logged_in(alice).post(change_url(article), {**start, "title": "Edited"})
    assert response.status_code == 200
    assert "Someone else saved this article" in response.content.decode()
