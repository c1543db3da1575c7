"""The OpenAPI document is valid 3.1, and the live API keeps to it (schemathesis, against the WSGI app).

schemathesis generates requests for every operation from the schema (valid and
invalid parameters alike) and checks each response: no 5xx, a status code the
schema documents, a body and headers that match it.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from schemathesis.specs.openapi.checks import positive_data_acceptance

from reex.wsgi import application
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any error
    broken = {**document, "paths": {"/x": {"get": {"responses": {"200": {"content": 5}}}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_every_operation_documents_its_error_responses(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert set(operation["responses"]) == {"200", "304", "400", "401", "404", "429"}, (path, method)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The real WSGI handler closes the database connection after each request, which would end the test's
    # transaction; Django's own test client disconnects the same handlers for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _content(db):
    # Enough for every operation to find something: a full published brief, plus a draft that must not show.
    source = make_source(doi="10.15826/recon.2025.11.3.016")
    article = make_article(tags=["Russia", "separation"], full_brief=True)
    make_article(status="draft", tags=["embargoed"], full_brief=True)
    return article, source


# Loaded from the running app at collection: the schema the tests check is the one the code serves.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case):
    # Every check but one: "a schema-valid request is accepted" cannot hold for parameters whose validity
    # the schema cannot express (a cursor must be one we issued, published_to must not precede
    # published_from, a DOI must parse). Those get a documented 400, which the other checks verify.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_the_docs_page_renders_the_schema_from_our_own_static_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/api/v1/openapi.json" in html
    assert "cdn" not in html.lower()  # no third-party host: it works offline and under our CSP
