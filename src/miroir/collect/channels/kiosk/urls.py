from __future__ import annotations

from django.urls import path

from miroir.collect.channels.kiosk import views

urlpatterns = [
    path("waves/<int:wave_id>/kiosk/", views.wave_kiosk, name="wave_kiosk"),
    path(
        "waves/<int:wave_id>/kiosks/<uuid:kiosk_id>/revoke/",
        views.wave_kiosk_revoke,
        name="wave_kiosk_revoke",
    ),
    path("k/<uuid:public_id>/<int:unit_id>/", views.kiosk, name="kiosk"),
    path("k/<uuid:public_id>/<int:unit_id>/setup", views.kiosk_setup, name="kiosk_setup"),
    path("k/<uuid:public_id>/<int:unit_id>/submit", views.kiosk_submit, name="kiosk_submit"),
    path(
        "k/<uuid:public_id>/<int:unit_id>/manifest.webmanifest",
        views.kiosk_manifest,
        name="kiosk_manifest",
    ),
]
