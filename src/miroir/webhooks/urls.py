from __future__ import annotations

from django.urls import path

from miroir.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_create, name="create"),
    path("<int:webhook_id>/", views.webhook_detail, name="detail"),
    path("<int:webhook_id>/edit/", views.webhook_edit, name="edit"),
    path("<int:webhook_id>/test/", views.webhook_test, name="test"),
    path("<int:webhook_id>/secret/", views.webhook_rotate, name="rotate"),
    path("<int:webhook_id>/delete/", views.webhook_delete, name="delete"),
]
