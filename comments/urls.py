from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("post/<int:article_id>/", views.comment_post, name="post"),
    path("reply/<int:comment_id>/", views.comment_reply, name="reply"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
