from __future__ import annotations

from django.urls import path

from miroir.collect.channels.posters import views

urlpatterns = [
    path("waves/<int:wave_id>/poster/", views.wave_poster, name="wave_poster"),
    path("q/<str:code>/<int:unit_id>/", views.poster_link, name="poster_link"),
    path(
        "q/<str:code>/<int:unit_id>/<slug:moment>/",
        views.poster_link,
        name="poster_link_moment",
    ),
]
