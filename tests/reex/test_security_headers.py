import re

import pytest


@pytest.mark.django_db
def test_public_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    script_src = directives["script-src"]
    assert script_src == "'self'"  # reader pages need no nonce: every script is a same-origin file
    assert "unsafe-inline" not in script_src
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_every_executable_script_is_a_same_origin_file(client):
    # So the page carries no nonce and can be cached compressed (reex/pagestore.py, BREACH).
    response = client.get("/")
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert len(scripts) >= 1
    for attributes in scripts:
        assert 'src="/static/' in attributes or 'type="application/ld+json"' in attributes, attributes
    assert "nonce" not in html


@pytest.mark.django_db
def test_branded_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn&#x27;t find that page" in html or "We couldn't find that page" in html
    assert 'role="search"' in html
