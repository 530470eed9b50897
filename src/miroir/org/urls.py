from __future__ import annotations

from django.urls import path

from miroir.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("import/", views.org_import_view, name="import"),
]
