"""A database that cannot be reached answers 503 with Retry-After, never a 500 page.

While PostgreSQL restarts or fails over, every query raises ``OperationalError`` (or
``InterfaceError`` on a connection that died under it). Respondents and integrations must
be told to come back shortly, in their language, with nothing of the error shown; once the
database answers again, ``CONN_HEALTH_CHECKS`` makes the next request open a fresh
connection, so the service recovers by itself (docs/operations.md, "Failures").
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("miroir.outage")

# Seconds a client is asked to wait before trying again: a PostgreSQL restart or a
# fail-over usually takes a few seconds; kiosks and SMS providers retry on their own.
RETRY_AFTER_SECONDS = 15
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(error: BaseException | None) -> bool:
    """Return whether ``error`` (or what caused it) says the database cannot be reached."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, UNAVAILABLE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/") or request.content_type == "application/json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _language(request: HttpRequest) -> str:
    """Return the language asked by the respondent's form or link, else the negotiated one."""
    codes = {code for code, _name in settings.LANGUAGES}
    try:
        asked = request.POST.get("lang") or request.GET.get("lang")
    except Exception:  # an unreadable body must not turn the 503 into a 500
        asked = request.GET.get("lang")
    if asked in codes:
        return asked
    return translation.get_language() or settings.LANGUAGE_CODE


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer: JSON for the API and JSON clients, else a translated page.

    It renders without context processors, so nothing in it touches the database.
    """
    language = _language(request)
    with translation.override(language):
        if _wants_json(request):
            response: HttpResponse = JsonResponse(
                {
                    "code": "service_unavailable",
                    "message": _(
                        "The service is briefly unavailable: send the same request again in a "
                        "few seconds (a submission sent twice is recorded once)."
                    ),
                    "retry_after": RETRY_AFTER_SECONDS,
                },
                status=503,
            )
        else:
            page = loader.render_to_string(
                "503.html", {"language": language, "retry_after": RETRY_AFTER_SECONDS}
            )
            response = HttpResponse(page, status=503)
            response["Content-Language"] = language
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a view's database connection failure into the 503 answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        logger.warning(
            "Database unavailable, answered 503 to %s %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
        )
        return unavailable_response(request)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """Return Django's 500 page, or the 503 answer when the database is what failed.

    Django calls this for an error raised outside a view too (a session saved by its
    middleware, for instance), where ``DatabaseUnavailableMiddleware`` does not reach.
    """
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    try:
        return django_server_error(request, template_name=template_name)
    except Exception:  # the 500 page itself must never fail
        return HttpResponseServerError(b"Server error", content_type="text/plain")
