"""Bare Django, for the benchmark's reference point: `startproject`'s default middleware and a constant view.

bench/bench.py serves it with the same gunicorn settings as the site (DJANGO_SETTINGS_MODULE=bench.bare),
so the ceiling (the same constant view through Reex's own middleware, bench/ceiling.py) can be quoted as
a fraction of what Django itself costs. Nothing here touches a database.
"""

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-bare-not-secret"  # noqa: S105 -- signs nothing: no sessions, no forms
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bare"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
# Exactly the list `django-admin startproject` writes.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
DATABASES = {}
USE_TZ = True
STATIC_URL = "static/"


def ceiling(request):
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("__bench/ceiling", ceiling)]
