"""Authentication of API callers: integration tokens (Bearer) and the web session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from miroir.api.selectors import api_token_authenticate, token_scope
from miroir.api.services import api_token_touch
from miroir.org.selectors import Scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mir_…``: the request acts with the token's scope."""

    def authenticate(self, request: HttpRequest, token: str) -> Scope | None:
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        api_token_touch(token=api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        return token_scope(api_token)


class ActiveSessionAuth(SessionAuth):
    """The logged-in web user, for reads only: pages call the API to display, never to change."""

    def __call__(self, request: HttpRequest) -> Any:
        # Decided before SessionAuth's CSRF check, which would otherwise turn a bad token
        # sent with a write into a 403 instead of the 401 the integration must see.
        if "HTTP_AUTHORIZATION" in request.META:
            # A caller that sends a token is judged by it alone, even from a browser that
            # also holds a session.
            return None
        if request.method not in SAFE_METHODS:
            # Writes are for integrations holding a token: a session reaching them would
            # make every future write endpoint a CSRF question.
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        return user


API_AUTH = [TokenAuth(), ActiveSessionAuth()]
