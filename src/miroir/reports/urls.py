from __future__ import annotations

from django.urls import path

from miroir.reports import comment_views, subscription_views, views

app_name = "reports"
urlpatterns = [
    path("", views.network, name="network"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("linkage/", views.linkage, name="linkage"),
    path("comments/", comment_views.comments, name="network_comments"),
    path("units/<int:unit_id>/comments/", comment_views.comments, name="comments"),
    path(
        "units/<int:unit_id>/export/<slug:key>.<slug:fmt>",
        views.export,
        {"page": "unit"},
        name="unit_export",
    ),
    path("units/<int:unit_id>/report.pdf", views.report, {"page": "unit"}, name="unit_report"),
    path("report.pdf", views.report, {"page": "network"}, name="network_report"),
    path("export/<slug:page>/<slug:key>.<slug:fmt>", views.export, name="export"),
    path("units/<int:unit_id>/publish/", views.publish, name="publish"),
    path(
        "publications/<int:publication_id>/withdraw/",
        views.publication_withdraw,
        name="publication_withdraw",
    ),
    path("reports/", subscription_views.subscriptions, name="subscriptions"),
    path(
        "units/<int:unit_id>/reports/subscribe/",
        subscription_views.subscription_create,
        name="subscription_create",
    ),
    path(
        "reports/<int:subscription_id>/delete/",
        subscription_views.subscription_delete,
        name="subscription_delete",
    ),
    path("published/", views.published, name="published"),
    path("published/<int:publication_id>/", views.publication, name="publication"),
]
