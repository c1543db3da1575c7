"""The admin's searches ignore accents and case: articles, sources, authors, comments, subscribers.

The lookup is reex/unaccent.py (`__unaccent_icontains`); the trigram indexes behind it are checked
on the real query plan.
"""

import pytest
from django.conf import settings
from django.db import connection
from lxml import html as lxml_html

from articles.models import Article, Author, Source
from comments.models import Comment
from newsletter.models import Subscriber
from tests.factories import make_article, make_author, make_source, make_subscriber, make_user

pytestmark = pytest.mark.django_db

SPELLINGS = ["Ñuñoa", "nunoa", "NUÑOA", "NUNOA", "ñUñOa"]


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def listed(client, path, term):
    response = client.get(f"/{settings.ADMIN_URL}{path}", {"q": term})
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    return sorted(int(v) for v in tree.xpath('//input[@name="_selected_action"]/@value'))


@pytest.mark.parametrize("term", SPELLINGS)
def test_article_search(admin_client, term):
    hit = make_article(title="Lithium brines near Ñuñoa")
    by_standfirst = make_article(title="Water", standfirst="Salars east of Nuñoa.")
    make_article(title="Nunez copper", standfirst="Elsewhere.")
    assert listed(admin_client, "articles/article/", term) == sorted([hit.pk, by_standfirst.pk])


@pytest.mark.parametrize("term", ["odegard", "ØDEGÅRD", "Ødegård"])
def test_source_and_author_search(admin_client, term):
    source = make_source(title="Scandium in Norway", authors="Ødegård, Kari")
    make_source(title="Iron in Sweden", authors="Olsen, Per")
    author = make_author(name="Kari Ødegård")
    make_author(name="Kari Olsen")
    assert listed(admin_client, "articles/source/", term) == [source.pk]
    assert listed(admin_client, "articles/author/", term) == [author.pk]


@pytest.mark.parametrize("term", SPELLINGS)
def test_comment_search(admin_client, term):
    article = make_article(title="Chile")
    by_name = Comment.objects.create(article=article, name="Ana de Ñuñoa", email="a@example.org", body="Hello.")
    by_body = Comment.objects.create(article=article, name="Ben", email="b@example.org", body="I live in nuñoa.")
    Comment.objects.create(article=article, name="Cleo", email="c@example.org", body="Nunez is not it.")
    assert listed(admin_client, "comments/comment/", term) == sorted([by_name.pk, by_body.pk])


def test_comment_search_by_article_title(admin_client):
    article = make_article(title="Ñuñoa lithium")
    comment = Comment.objects.create(article=article, name="Dee", email="d@example.org", body="Thanks.")
    Comment.objects.create(article=make_article(title="Other"), name="Eve", email="e@example.org", body="Thanks.")
    assert listed(admin_client, "comments/comment/", "NUNOA") == [comment.pk]


@pytest.mark.parametrize("term", SPELLINGS)
def test_subscriber_search(admin_client, term):
    by_name = make_subscriber(name="Ñuñoa Reader")
    by_page = make_subscriber(source_page="/news/nuñoa-brines/")
    make_subscriber(name="Nunez")
    assert listed(admin_client, "newsletter/subscriber/", term) == sorted([by_name.pk, by_page.pk])


def test_like_wildcards_in_a_term_are_literal(admin_client):
    percent = make_article(title="Prices up 50% in a year")
    make_article(title="Prices up 50 points")
    assert listed(admin_client, "articles/article/", "50%") == [percent.pk]
    underscore = make_subscriber(email="a_b@example.org")
    make_subscriber(email="axb@example.org")
    assert listed(admin_client, "newsletter/subscriber/", "a_b") == [underscore.pk]


@pytest.mark.parametrize(
    ("model", "column", "index"),
    [
        (Article, "title", "article_title_trgm"),
        (Source, "title", "source_title_trgm"),
        (Author, "name", "author_name_trgm"),
        (Comment, "body", "comment_body_trgm"),
        (Subscriber, "email", "subscriber_email_trgm"),
    ],
)
def test_each_search_can_use_its_trigram_index(model, column, index):
    queryset = model.objects.filter(**{f"{column}__unaccent_icontains": "nunoa"}).order_by()
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A few rows: the planner would rightly scan; the point is that the index matches the expression.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)  # noqa: S608 -- Django's own SQL, values in params
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
