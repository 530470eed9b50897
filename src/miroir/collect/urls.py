from __future__ import annotations

from django.urls import path

from miroir.collect import kiosk_views, poster_views, respondent_views, sms_webhook_views, views

app_name = "collect"
urlpatterns = [
    path("waves/", views.wave_list, name="wave_list"),
    path("waves/new/", views.wave_create, name="wave_create"),
    path("waves/<int:wave_id>/", views.wave_detail, name="wave_detail"),
    path("waves/<int:wave_id>/edit/", views.wave_edit, name="wave_edit"),
    path("waves/<int:wave_id>/launch/", views.wave_launch, name="wave_launch"),
    path("waves/<int:wave_id>/close/", views.wave_close, name="wave_close"),
    path("waves/<int:wave_id>/thresholds/", views.wave_thresholds, name="wave_thresholds"),
    path("waves/<int:wave_id>/links.csv", views.wave_links_csv, name="wave_links_csv"),
    # Respondents: the thanks page first, so that "thanks" is never read as a token.
    path("r/thanks/", respondent_views.respond_thanks, name="respond_thanks"),
    path("r/<str:token>/", respondent_views.respond, name="respond"),
    path("o/<uuid:public_id>/<int:unit_id>/", respondent_views.respond_open, name="respond_open"),
    path("u/<str:signed>/", respondent_views.unsubscribe, name="unsubscribe"),
    # The SMS provider's delivery reports and replies (signed by the provider).
    path("hooks/sms/twilio/", sms_webhook_views.sms_webhook_twilio, name="sms_webhook_twilio"),
    # QR posters and kiosks (docs/collection.md).
    path("waves/<int:wave_id>/poster/", poster_views.wave_poster, name="wave_poster"),
    path("waves/<int:wave_id>/kiosk/", kiosk_views.wave_kiosk, name="wave_kiosk"),
    path(
        "waves/<int:wave_id>/kiosks/<uuid:kiosk_id>/revoke/",
        kiosk_views.wave_kiosk_revoke,
        name="wave_kiosk_revoke",
    ),
    path("q/<str:code>/<int:unit_id>/", poster_views.poster_link, name="poster_link"),
    path(
        "q/<str:code>/<int:unit_id>/<slug:moment>/",
        poster_views.poster_link,
        name="poster_link_moment",
    ),
    path("k/<uuid:public_id>/<int:unit_id>/", kiosk_views.kiosk, name="kiosk"),
    path("k/<uuid:public_id>/<int:unit_id>/setup", kiosk_views.kiosk_setup, name="kiosk_setup"),
    path(
        "k/<uuid:public_id>/<int:unit_id>/submit",
        kiosk_views.kiosk_submit,
        name="kiosk_submit",
    ),
    path(
        "k/<uuid:public_id>/<int:unit_id>/manifest.webmanifest",
        kiosk_views.kiosk_manifest,
        name="kiosk_manifest",
    ),
]
