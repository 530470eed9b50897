"""Reads of the API app: token look-ups, the caller's scope, and the token-management gate."""

from __future__ import annotations

import hmac
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from miroir.api.models import ApiToken
from miroir.api.tokens import TOKEN_MARK, token_digest
from miroir.core.inputs import whole_number
from miroir.org.models import Unit
from miroir.org.selectors import Scope, request_scope, scope_for_unit


def api_token_authenticate(secret: str) -> ApiToken | None:
    """Return the usable token matching ``secret``, or None."""
    if not secret.startswith(TOKEN_MARK):
        return None
    digest = token_digest(secret)
    token = ApiToken.objects.select_related("scope_unit").filter(digest=digest).first()
    # The look-up is by digest; compare again in constant time so timing says nothing.
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    if not token.is_usable(timezone.now()):
        return None
    return token


def caller_scope(request: Any) -> Scope:
    """Return the scope of an API caller: its token's subtree, or the session user's scope."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Scope):
        return auth
    return request_scope(request)


def token_scope(token: ApiToken) -> Scope:
    """Return what a token reaches: its unit's subtree, or the whole network."""
    return scope_for_unit(token.scope_unit)


def access_api_tokens(scope: Scope) -> QuerySet[ApiToken]:
    """Return every token, for an administrator; 403 for anyone else."""
    if not scope.is_administrator:
        raise PermissionDenied("Only administrators manage API tokens")
    return ApiToken.objects.select_related("scope_unit", "created_by")


def access_api_token(scope: Scope, token_id: Any) -> ApiToken:
    """Return one token for an administrator; 403 for anyone else, 404 if there is none."""
    try:
        return access_api_tokens(scope).get(pk=int(token_id))
    except (ApiToken.DoesNotExist, TypeError, ValueError):
        raise Http404("No such token") from None


def api_token_by_reference(value: str) -> ApiToken | None:
    """Return the token named by its prefix (``mir_`` optional, whole secret accepted) or id."""
    prefix = value.strip().removeprefix(TOKEN_MARK).split("_")[0]
    token = ApiToken.objects.filter(prefix=prefix).first()
    number = whole_number(prefix)
    if token is None and number is not None:
        token = ApiToken.objects.filter(pk=number).first()
    return token


def unit_by_reference(value: str) -> Unit | None:
    """Return the unit with this external id, else the one with this number, else None."""
    value = value.strip()
    if not value:
        return None
    # External ids come first: an HR system may well use digits that collide with our ids.
    unit = Unit.objects.filter(external_id=value).first()
    number = whole_number(value)
    if unit is None and number is not None:
        unit = Unit.objects.filter(pk=number).first()
    return unit
