from __future__ import annotations

from django.urls import path

from miroir.journeys import views

app_name = "journeys"
urlpatterns = [
    path("", views.journey_list, name="list"),
    path("new/", views.journey_create, name="create"),
    path("templates/<slug:code>/load/", views.template_load, name="template_load"),
    path("<int:journey_id>/", views.journey_detail, name="detail"),
    path("<int:journey_id>/edit/", views.journey_edit, name="edit"),
    path("<int:journey_id>/moments/new/", views.moment_create, name="moment_create"),
    path("<int:journey_id>/moments/<int:moment_id>/edit/", views.moment_edit, name="moment_edit"),
]
