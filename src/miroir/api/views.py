"""Token management pages: administrators list, create and revoke integration tokens."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miroir.api.forms import ApiTokenForm
from miroir.api.models import ApiToken
from miroir.api.selectors import access_api_token, access_api_tokens
from miroir.api.services import api_token_create, api_token_revoke
from miroir.org.selectors import request_scope


def _render_list(
    request: HttpRequest, tokens: QuerySet[ApiToken], form: ApiTokenForm, secret: str = ""
) -> HttpResponse:
    context = {"tokens": tokens, "form": form, "secret": secret, "nav_section": "tokens"}
    return render(request, "api/tokens.html", context)


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = access_api_tokens(request_scope(request))
    return _render_list(request, tokens, ApiTokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    tokens = access_api_tokens(request_scope(request))
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_list(request, tokens, form)
    days = form.cleaned_data["expires_in_days"]
    _token, secret = api_token_create(
        name=form.cleaned_data["name"],
        scope_unit=form.cleaned_data["unit"],
        actor=request.user,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    # The secret lives in this response only: rendered rather than redirected, so it never
    # sits in the session store, and marked uncacheable so no cache keeps it either.
    response = _render_list(request, tokens, ApiTokenForm(), secret=secret)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access_api_token(request_scope(request), token_id)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
