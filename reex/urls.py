from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from reex import csrf, views

admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("csrf/", csrf.token, name="csrf_token"),
    path("comments/", include("comments.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("articles.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "reex.views.server_error"
