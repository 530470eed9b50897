"""Stable error codes of the JSON API, and the handlers that give every error one shape."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from miroir.core.outage import database_unavailable, unavailable_response

logger = logging.getLogger("miroir.api")


class ApiErrorCode(StrEnum):
    INVALID_TOKEN = "auth.invalid_token"  # noqa: S105 (an error code, not a secret)
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    VALIDATION_ERROR = "validation_error"
    BAD_REQUEST = "bad_request"
    ERROR = "error"


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    """Return the ``{"code", "message"}`` answer every API error takes."""
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    """Return a pydantic error as a ``ProblemOut``: dotted field, message, row of a batch."""
    location = [str(part) for part in error.get("loc", ())]
    # ninja names the body parameter after the view's argument; callers know the fields only.
    if len(location) >= 2 and location[0] == "body":
        location = location[2:] or location[:1]
    index = next((int(part) for part in location if part.isdigit()), None)
    return {"field": ".".join(location), "message": str(error.get("msg", "")), "index": index}


def install_error_handlers(api: NinjaAPI) -> None:
    """Make 401/403/404/422 answers all ``{"code": ..., "message": ...}``."""

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = error_response(
            api,
            request,
            401,
            ApiErrorCode.INVALID_TOKEN,
            _("Missing, invalid, revoked or expired token."),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The same answer for "does not exist" and "outside your scope": a caller must not
        # learn which ids exist elsewhere in the network.
        return error_response(api, request, 404, ApiErrorCode.NOT_FOUND, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 403, ApiErrorCode.FORBIDDEN, _("Not allowed."))

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            422,
            ApiErrorCode.VALIDATION_ERROR,
            _("Invalid request."),
            errors=[_problem(error) for error in exc.errors],
        )

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # An integration parses JSON: even a failure of ours keeps the error shape.
        if database_unavailable(exc):
            return unavailable_response(request)
        logger.error("Unhandled error answering %s %s", request.method, request.path, exc_info=exc)
        got_request_exception.send(sender=None, request=request)
        return error_response(
            api, request, 500, ApiErrorCode.ERROR, _("Internal error: it was logged.")
        )

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # ninja's only 400: a body that is not JSON (or not in the declared encoding).
            return error_response(
                api, request, 400, ApiErrorCode.BAD_REQUEST, _("The request body cannot be read.")
            )
        codes = {
            401: ApiErrorCode.INVALID_TOKEN,
            403: ApiErrorCode.FORBIDDEN,
            404: ApiErrorCode.NOT_FOUND,
            422: ApiErrorCode.VALIDATION_ERROR,
        }
        code = codes.get(exc.status_code, ApiErrorCode.ERROR)
        return error_response(api, request, exc.status_code, code, str(exc))
