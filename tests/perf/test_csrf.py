"""CSRF on cached pages: the empty {% csrf_field %}, /csrf/, and the no-JavaScript "please confirm" page."""

import re

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from tests.factories import make_article

pytestmark = pytest.mark.django_db

TOKEN_FIELD = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]*)"')


def _render_field(request):
    return Template("{% load reex_tags %}{% csrf_field %}").render(Context({"request": request}))


def test_csrf_field_is_empty_on_cacheable_pages():
    html = _render_field(RequestFactory().get("/"))
    assert html == '<input type="hidden" name="csrfmiddlewaretoken" value="" data-csrf-field>'


def test_csrf_field_carries_a_real_token_when_the_page_is_personal():
    request = RequestFactory().get("/", HTTP_COOKIE="sessionid=abc")
    assert re.fullmatch(
        r'<input type="hidden" name="csrfmiddlewaretoken" value="\w{64}" data-csrf-field>', _render_field(request)
    )
    not_cached = RequestFactory().get("/newsletter/")
    assert 'value=""' not in _render_field(not_cached)


def test_csrf_endpoint_returns_a_usable_token_and_is_never_cached():
    client = Client(enforce_csrf_checks=True)
    response = client.get("/csrf/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    token = response.json()["token"]
    assert len(token) == 64 and "csrftoken" in response.cookies
    assert client.post("/csrf/", {"csrfmiddlewaretoken": token}).status_code == 405  # passed CSRF, GET only
    assert "X-Page-Cache" not in client.get("/csrf/")


def test_a_post_without_a_token_from_our_own_page_keeps_the_text():
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    fields = {
        "csrfmiddlewaretoken": "",
        "name": "Ada <Lovelace>",
        "body": 'Line one.\nLine "two" & more.',
        "password": "never-echo-me",
    }
    response = client.post(article.get_absolute_url(), fields, headers={"Origin": "http://testserver"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please confirm" in html
    assert 'name="name" value="Ada &lt;Lovelace&gt;"' in html
    assert 'name="body" value="Line one.\nLine &quot;two&quot; &amp; more."' in html
    assert "never-echo-me" not in html and 'name="password"' not in html
    assert "no-store" in response["Cache-Control"]
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html).group(1)
    # Pressing "confirm" sends the same fields with the fresh token and passes the CSRF check
    # (the article page itself answers POST with 405: it was the view, not CSRF, that answered).
    confirmed = client.post(
        article.get_absolute_url(),
        {"csrfmiddlewaretoken": token, "_reex_resent": "1", "name": "Ada <Lovelace>"},
        headers={"Origin": "http://testserver"},
    )
    assert confirmed.status_code == 405


def test_a_foreign_post_gets_the_plain_403_and_no_echo():
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}, {}):
        response = client.post(article.get_absolute_url(), {"body": "attacker words"}, headers=headers)
        assert response.status_code == 403
        assert b"attacker words" not in response.content
        assert b"Please confirm" not in response.content
