from __future__ import annotations

from django.urls import path

from miroir.voices import tablet_views, views

app_name = "voices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.voice_submit, name="submit"),
    path("mine/", views.voices_mine, name="mine"),
    path("mine/<uuid:voice_id>/", views.voice_mine_detail, name="mine_detail"),
    path("follow/", views.voice_follow, name="follow"),
    path("ideas/", views.ideas, name="ideas"),
    path("ideas/<uuid:voice_id>/", views.idea_detail, name="idea"),
    path("ideas/<uuid:voice_id>/support/", views.idea_support, name="idea_support"),
    path("ideas/<uuid:voice_id>/comment/", views.idea_comment, name="idea_comment"),
    path("ideas/<uuid:voice_id>/report/", views.idea_report, name="idea_report"),
    path(
        "ideas/<uuid:voice_id>/comments/<int:comment_id>/report/",
        views.idea_report,
        name="comment_report",
    ),
    path("you-said-we-did/", views.you_said_we_did, name="you_said"),
    path("listening/", views.listening, name="listening"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:report_id>/dismiss/", views.report_dismiss, name="report_dismiss"),
    path("complaint/<int:unit_id>/", views.complaint_form, name="complaint"),
    path("complaint/confirm/<str:token>/", views.complaint_confirm, name="complaint_confirm"),
    path("tablet/<uuid:tablet_id>/", tablet_views.tablet, name="tablet"),
    path("tablet/<uuid:tablet_id>/setup/", tablet_views.tablet_setup, name="tablet_setup"),
    path("tablets/new/<int:unit_id>/", tablet_views.tablet_new, name="tablet_new"),
    path("tablets/<uuid:tablet_id>/revoke/", tablet_views.tablet_end, name="tablet_revoke"),
    path("<uuid:voice_id>/", views.voice_detail, name="detail"),
    path("<uuid:voice_id>/acknowledge/", views.voice_acknowledge, name="acknowledge"),
    path("<uuid:voice_id>/study/", views.voice_study, name="study"),
    path("<uuid:voice_id>/answer/", views.voice_answer, name="answer"),
    path("<uuid:voice_id>/merge/", views.voice_merge, name="merge"),
    path("<uuid:voice_id>/hide/", views.voice_moderate, {"hide": True}, name="hide"),
    path("<uuid:voice_id>/restore/", views.voice_moderate, {"hide": False}, name="restore"),
    path(
        "<uuid:voice_id>/comments/<int:comment_id>/hide/",
        views.voice_moderate,
        {"hide": True},
        name="comment_hide",
    ),
    path(
        "<uuid:voice_id>/comments/<int:comment_id>/restore/",
        views.voice_moderate,
        {"hide": False},
        name="comment_restore",
    ),
]
