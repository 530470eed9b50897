from __future__ import annotations

from django.urls import path

from miroir.instruments import views

app_name = "instruments"
urlpatterns = [
    path("", views.instrument_list, name="list"),
    path("new/", views.instrument_create, name="create"),
    path("import/", views.instrument_import, name="import"),
    path("catalogs/<slug:name>/load/", views.catalog_load, name="catalog_load"),
    path("<int:instrument_id>/", views.instrument_detail, name="detail"),
    path("<int:instrument_id>/edit/", views.instrument_edit, name="edit"),
    path("<int:instrument_id>/duplicate/", views.instrument_duplicate, name="duplicate"),
    path("<int:instrument_id>/export.json", views.instrument_export, name="export"),
    path("<int:instrument_id>/preview/", views.instrument_preview, name="preview"),
    path("<int:instrument_id>/mirrors/new/", views.mirror_create, name="mirror_create"),
    path("<int:instrument_id>/items/new/", views.item_create, name="item_create"),
    path("<int:instrument_id>/items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("<int:instrument_id>/items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
    path("<int:instrument_id>/items/<int:item_id>/move/", views.item_move, name="item_move"),
]
