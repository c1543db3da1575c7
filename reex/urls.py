from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from reex import csrf, views
from reex.two_factor import two_factor

admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Newsroom"

urlpatterns = [
    # Before the admin's own URLs, whose catch-all would otherwise answer 404.
    path(f"{settings.ADMIN_URL}two-factor/", admin.site.admin_view(two_factor), name="reex_two_factor"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("csrf/", csrf.token, name="csrf_token"),
    path("comments/", include("comments.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("api/", include("api.urls")),
    path("", include("articles.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
if settings.BENCH_CEILING:
    from bench.ceiling import ceiling

    urlpatterns.insert(0, path("__bench/ceiling", ceiling))

handler400 = "reex.views.bad_request"
handler403 = "reex.views.permission_denied"
handler500 = "reex.views.server_error"
