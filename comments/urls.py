from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("post/<int:article_id>/", views.comment_post, name="post"),
    path("form-token/", views.form_token, name="form_token"),
    path("reply/<int:comment_id>/", views.comment_reply, name="reply"),
    path("report/<int:comment_id>/", views.comment_report, name="report"),
    path("confirm/<str:token>/", views.trust_confirm, name="trust_confirm"),
    path("you/<str:token>/", views.commenter_settings, name="commenter"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
