from __future__ import annotations

from django.urls import path

from miroir.collect import pulse_views, respondent_views, views
from miroir.collect.channels import channel_urlpatterns

app_name = "collect"
urlpatterns = [
    path("waves/", views.wave_list, name="wave_list"),
    path("waves/new/", views.wave_create, name="wave_create"),
    path("waves/calendar/", pulse_views.wave_calendar, name="wave_calendar"),
    path("waves/<int:wave_id>/", views.wave_detail, name="wave_detail"),
    path("waves/<int:wave_id>/edit/", views.wave_edit, name="wave_edit"),
    path("waves/<int:wave_id>/launch/", views.wave_launch, name="wave_launch"),
    path("waves/<int:wave_id>/close/", views.wave_close, name="wave_close"),
    path("waves/<int:wave_id>/thresholds/", views.wave_thresholds, name="wave_thresholds"),
    path("waves/<int:wave_id>/links.csv", views.wave_links_csv, name="wave_links_csv"),
    path("waves/<int:wave_id>/message/", pulse_views.wave_message, name="wave_message"),
    # Pulses: recurring waves.
    path("pulses/", pulse_views.pulse_list, name="pulse_list"),
    path("pulses/new/", pulse_views.pulse_create, name="pulse_create"),
    path("pulses/<int:pulse_id>/", pulse_views.pulse_detail, name="pulse_detail"),
    path("pulses/<int:pulse_id>/edit/", pulse_views.pulse_edit, name="pulse_edit"),
    path("pulses/<int:pulse_id>/message/", pulse_views.pulse_message, name="pulse_message"),
    path("pulses/<int:pulse_id>/pause/", pulse_views.pulse_pause, name="pulse_pause"),
    path("pulses/<int:pulse_id>/resume/", pulse_views.pulse_resume, name="pulse_resume"),
    path("pulses/<int:pulse_id>/stop/", pulse_views.pulse_stop, name="pulse_stop"),
    # Respondents: the thanks page first, so that "thanks" is never read as a token.
    path("r/thanks/", respondent_views.respond_thanks, name="respond_thanks"),
    path("r/<str:token>/", respondent_views.respond, name="respond"),
    path("o/<uuid:public_id>/<int:unit_id>/", respondent_views.respond_open, name="respond_open"),
    path("u/<str:signed>/", respondent_views.unsubscribe, name="unsubscribe"),
    # Each channel's own routes: the SMS webhook, QR posters, kiosks (docs/collection.md).
    *channel_urlpatterns(),
]
