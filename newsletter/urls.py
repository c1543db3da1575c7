from django.urls import include, path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/data.json", views.manage_data, name="manage_data"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archive/", views.archive, name="archive"),
    path("archive/<str:date>/", views.archive_detail, name="archive_detail"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    # Provider webhooks: /newsletter/anymail/<provider>/tracking/ (basic auth: ANYMAIL_WEBHOOK_SECRET).
    path("anymail/", include("anymail.urls")),
]
