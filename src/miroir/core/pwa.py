"""Miroir on a phone's home screen: the web app manifest, the service worker and the page it
shows when the network is down (docs/operations.md, "Installing on a phone").

The service worker keeps only what holds nothing personal: the offline page (rendered
without the session) and the static files. Every page is fetched from the network; none is
ever stored, so no answer, result or name stays on a phone.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# The theme of miroir.css (--accent, --wash).
THEME_COLOR = "#1d4e5f"
BACKGROUND_COLOR = "#f2f5f7"
# Raise it when the list below changes: the worker then replaces its cache.
CACHE_VERSION = "1"
PRECACHED = [
    "miroir/miroir.css",
    "miroir/favicon.svg",
    "miroir/icon-192.png",
]


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """Return the web app manifest (W3C Web Application Manifest)."""
    document = {
        "name": "Miroir",
        "short_name": "Miroir",
        "description": _("Listen to your people as you listen to your customers."),
        "lang": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "start_url": reverse("core:home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static("miroir/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("miroir/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("miroir/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(document)
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """Return the service worker's script, served from the root so that it covers the site."""
    context = {
        "version": CACHE_VERSION,
        "offline_url": reverse("core:offline"),
        "static_prefix": settings.STATIC_URL,
        "precached": [static(path) for path in PRECACHED],
    }
    return render(request, "core/sw.js", context, content_type="text/javascript")


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Return the page shown when the network is down: the same for everyone, no session."""
    return render(request, "core/offline.html", {"theme_color": THEME_COLOR})
