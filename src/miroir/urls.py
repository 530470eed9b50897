from __future__ import annotations

from django.urls import include, path

from miroir.api.urls import api

urlpatterns = [
    path("", include("miroir.core.urls")),
    path("accounts/", include("miroir.accounts.urls")),
    path("org/", include("miroir.org.urls")),
    path("instruments/", include("miroir.instruments.urls")),
    path("journeys/", include("miroir.journeys.urls")),
    path("maps/", include("miroir.journeys.map_urls")),
    path("results/", include("miroir.reports.urls")),
    path("settings/api-tokens/", include("miroir.api.web_urls")),
    path("settings/audit/", include("miroir.audit.urls")),
    path("settings/tasks/", include("miroir.operations.urls")),
    path("settings/privacy/", include("miroir.privacy.urls")),
    path("settings/webhooks/", include("miroir.webhooks.urls")),
    path("", include("miroir.collect.urls")),
    path("voices/", include("miroir.voices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]

# A database outage answers 503 with Retry-After even outside views (docs/operations.md).
handler500 = "miroir.core.outage.server_error"
