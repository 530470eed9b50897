from __future__ import annotations

from django.urls import path

from miroir.journeys import map_views as views

app_name = "maps"
urlpatterns = [
    path("", views.map_mine, name="mine"),
    path("waves/new/", views.map_wave_create, name="wave_create"),
    path("waves/<int:wave_id>/", views.map_wave_detail, name="wave"),
    path("waves/<int:wave_id>/open/", views.map_wave_open, name="wave_open"),
    path("waves/<int:wave_id>/close/", views.map_wave_close, name="wave_close"),
    path("waves/<int:wave_id>/units/<int:unit_id>/", views.map_unit, name="unit"),
    path(
        "waves/<int:wave_id>/units/<int:unit_id>/pain-points/<slug:code>/",
        views.pain_point_mark,
        name="pain_point",
    ),
    path("answer/<uuid:public_id>/", views.map_respond, name="respond"),
    path("published/<int:publication_id>/", views.map_published, name="published"),
    path("published/<int:publication_id>/withdraw/", views.map_withdraw, name="withdraw"),
    path("published/<int:publication_id>/republish/", views.map_republish, name="republish"),
]
