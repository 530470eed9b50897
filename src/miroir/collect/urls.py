from __future__ import annotations

from django.urls import path

from miroir.collect import respondent_views, views
from miroir.collect.channels import channel_urlpatterns

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
    # Each channel's own routes: the SMS webhook, QR posters, kiosks (docs/collection.md).
    *channel_urlpatterns(),
]
