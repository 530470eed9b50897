"""Response headers every page carries (a strict Content-Security-Policy), and CSRF."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware import csrf

# No inline script or style, nothing from another host, no framing: a markup injection
# that slipped past escaping could still run nothing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    """Django's CSRF protection; a view marked ``csrf_opaque_origin`` accepts ``Origin: null``.

    A page sent with ``Referrer-Policy: no-referrer`` (a respondent page whose address
    holds a secret) makes browsers post its form with ``Origin: null`` (Fetch standard),
    which Django's origin check refuses. For such views the check lets that one value
    through to the token check, which still decides; any other origin is checked as usual.
    """

    def process_view(
        self,
        request: HttpRequest,
        callback: Callable[..., Any],
        callback_args: Any,
        callback_kwargs: Any,
    ) -> HttpResponse | None:
        request.csrf_opaque_origin = bool(getattr(callback, "csrf_opaque_origin", False))
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def _origin_verified(self, request: HttpRequest) -> bool:
        if getattr(request, "csrf_opaque_origin", False) and request.META["HTTP_ORIGIN"] == "null":
            return True
        return super()._origin_verified(request)


def csrf_opaque_origin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Return the view marked so that ``Origin: null`` goes on to the CSRF token check."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    wrapped.csrf_opaque_origin = True  # type: ignore[attr-defined]
    return wrapped
