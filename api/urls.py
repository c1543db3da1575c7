from django.urls import path, re_path

from api.http import error_body, errors_response
from api.views import api


def not_found(request, rest=""):
    return errors_response(404, [error_body("not_found", "No such endpoint. See /api/v1/docs/.")])


# The namespace is django-ninja's, "api" (NinjaAPI(urls_namespace=...)): reverse("api:openapi-json").
urlpatterns = [
    path("v1/", api.urls),
    # Anything else under /api/ answers in the API's own error shape, not the site's HTML 404 page.
    re_path(r"^(?P<rest>.*)$", not_found),
]
