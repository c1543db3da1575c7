"""Hypothesis throws arbitrary input at every public query parameter and form: never a 500.

The Django test client re-raises any exception a view lets escape, so an
unhandled error fails the example as well as a 500 status would.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from comments.moderation import form_timestamp
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,  # a shared, noisy machine: timing is not what is tested here
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no example database on disk: runs are independent
)
# Anything a browser or a script can put in a URL or a form: every Unicode character but
# lone surrogates (not encodable), with the classics mixed in.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NASTY = st.sampled_from(
    [
        "",
        "0",
        "-1",
        "1e309",
        "99999999999999999999999",
        "NaN",
        "\x00",
        "%00",
        "' OR 1=1 --",
        '"); DROP TABLE articles_article; --',
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "９",
        "\u202e",
        "a" * 5000,
        "2026-02-30",
        "0000-00-00",
        "9999-12-31",
        "-0001-01-01",
        "2026-13-01",
        "!@#$%^&*()",
        "lithium:*",
        "(((((",
        "a & | ! <-> b",
    ]
)
VALUE = st.one_of(NASTY, TEXT, st.integers().map(str))


@pytest.fixture
def site(settings):
    settings.COMMENTS_MIN_SECONDS = 0
    settings.COMMENTS_THROTTLE_PER_IP = 10**6
    settings.COMMENTS_THROTTLE_PER_EMAIL = 10**6
    settings.NEWSLETTER_SIGNUP_RATE = 10**6
    article = make_article(title="Lithium refining brief", tags=["lithium"], full_brief=True)
    return article


def _ok(response):
    assert response.status_code < 500, response.status_code
    return response


@FUZZ
@given(q=VALUE, page=VALUE, section=VALUE, tag=VALUE, date_from=VALUE, date_to=VALUE)
@example(q="lithium", page="2", section="", tag="lithium", date_from="2026-01-01", date_to="2025-01-01")
def test_search_parameters(site, q, page, section, tag, date_from, date_to):
    params = {"q": q, "page": page, "section": section, "tag": tag, "date_from": date_from, "date_to": date_to}
    _ok(Client().get(reverse("articles:search"), params))


@FUZZ
@given(page=VALUE, extra=st.dictionaries(st.sampled_from(["q", "tag", "section", "sort", "year"]), VALUE))
def test_list_pages_take_any_page_number(site, page, extra):
    client = Client()
    for url in (
        "/",
        site.section.get_absolute_url(),
        reverse("articles:tag", args=["lithium"]),
        site.authors.get().get_absolute_url(),
        reverse("articles:archive"),
        reverse("newsletter:archive"),
    ):
        _ok(client.get(url, {"page": page, **extra}))


@FUZZ
@given(year=st.integers(min_value=0, max_value=2**31 - 1), month=st.integers(min_value=0, max_value=10**6))
@example(year=0, month=0)
@example(year=9999, month=12)
@example(year=10000, month=1)
@example(year=2026, month=13)
def test_archive_year_and_month(site, year, month):
    _ok(Client().get(f"/archive/{year}/{month}/"))


@pytest.mark.parametrize("year", [2**31, 10**30])
def test_archive_with_a_year_beyond_32_bits(site, year):
    _ok(Client().get(f"/archive/{year}/1/"))


@FUZZ
@given(segment=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), min_size=1))
def test_slugs_and_tokens_in_paths(site, segment):
    from urllib.parse import quote

    client = Client()
    part = quote(segment, safe="")
    for url in (
        f"/news/{part}/",
        f"/section/{part}/",
        f"/tag/{part}/",
        f"/author/{part}/",
        f"/sources/{part}/",
        f"/preview/s/{part}/",
        f"/newsletter/confirm/{part}/",
        f"/newsletter/manage/{part}/",
        f"/newsletter/unsubscribe/{part}/",
        f"/newsletter/archive/{part}/",
        f"/comments/unsubscribe/{part}/",
    ):
        _ok(client.get(url))


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "name": VALUE,
            "email": st.one_of(st.emails().map(str), VALUE),
            "url": VALUE,
            "body": VALUE,
            "parent": VALUE,
            "homepage": VALUE,
            "remember": VALUE,
            "notify_replies": VALUE,
        },
    ),
    fresh_ts=st.booleans(),
    ts=VALUE,
)
def test_comment_form(site, fields, fresh_ts, ts):
    data = {**fields, "ts": form_timestamp(at=time.time() - 30) if fresh_ts else ts}
    _ok(Client().post(reverse("comments:post", args=[site.pk]), data, REMOTE_ADDR="198.51.100.77"))


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "email": st.one_of(st.emails().map(str), VALUE),
            "name": VALUE,
            "website": VALUE,
            "source": VALUE,
            "source_page": VALUE,
        },
    )
)
def test_signup_form(site, fields):
    _ok(Client().post(reverse("newsletter:signup"), fields, REMOTE_ADDR="203.0.113.77"))


@FUZZ
@given(value=VALUE)
def test_one_click_unsubscribe_posts(site, value):
    # RFC 8058 one-click posts carry no CSRF token; a garbage token must still be a clean answer.
    client = Client(enforce_csrf_checks=True)
    _ok(client.post(f"/newsletter/unsubscribe/{value[:100] or 'x'}/", {"List-Unsubscribe": "One-Click"}))
    _ok(client.post(f"/comments/unsubscribe/{value[:100] or 'x'}/", {"List-Unsubscribe": "One-Click"}))


@FUZZ
# No NUL: PostgreSQL cannot store it, and every form refuses it (Django's ProhibitNullCharactersValidator).
@given(
    name=st.sampled_from(["日本", "---", "<>", "Ωmega", "lithium"])
    | TEXT.filter(lambda s: s.strip() and "\x00" not in s)
)
def test_any_tag_name_leaves_the_article_page_working(site, name):
    site.tags.add(name[:100])
    try:
        _ok(Client().get(site.get_absolute_url()))
        _ok(Client().get("/"))
    finally:
        site.tags.clear()
