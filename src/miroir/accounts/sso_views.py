"""Signing in through an OpenID Connect provider (single sign-on): the button's redirect to the
provider, and the way back, which matches the verified e-mail address to a Miroir login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from miroir.accounts import lockout, services, sessions, sso
from miroir.accounts.models import User
from miroir.accounts.selectors import account_for_single_sign_on, confirmed_device
from miroir.accounts.views import _next_url
from miroir.core import ratelimit

TEMPLATE = "accounts/sso_refused.html"


def _provider(key: str) -> sso.Provider:
    provider = sso.provider_get(key)
    if provider is None:
        raise Http404("No such sign-in provider")
    return provider


@never_cache
@require_GET
def sso_start(request: HttpRequest, provider_key: str) -> HttpResponse:
    provider = _provider(provider_key)
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    request.session[sso.NEXT] = next_url
    try:
        return sso.provider_redirect(request, provider)
    except sso.SsoRefused as refusal:
        return _refused(request, provider, refusal, None)


@never_cache
@require_GET
def sso_callback(request: HttpRequest, provider_key: str) -> HttpResponse:
    provider = _provider(provider_key)
    if request.user.is_authenticated:
        # No flow starts while logged in (sso_start): there is nothing to finish.
        return redirect(_next_url(request))
    address = ratelimit.client_address(request)
    verdict = ratelimit.hit("login", address)
    if not verdict.allowed:
        return ratelimit.too_many_requests(request, verdict.retry_after)
    try:
        identity = sso.identity_read(request, provider)
    except sso.SsoRefused as refusal:
        return _refused(request, provider, refusal, None)
    user = account_for_single_sign_on(identity.email)
    wait = lockout.lock_remaining(email=identity.email, address=address)
    if wait:
        return _locked(request, provider, wait)
    if user is None:
        return _refused(request, provider, sso.SsoRefused(sso.UNKNOWN, identity.email), None)
    if not user.is_active:
        return _refused(request, provider, sso.SsoRefused(sso.DISABLED, identity.email), user)
    return _accepted(request, provider, user, provider_mfa=identity.mfa)


def _accepted(
    request: HttpRequest, provider: sso.Provider, user: User, *, provider_mfa: bool
) -> HttpResponse:
    """Log ``user`` in, or ask for Miroir's code first when the provider did not stand for it."""
    next_url = request.session.pop(sso.NEXT, None) or _next_url(request)
    lockout.failures_clear(email=user.email, address=ratelimit.client_address(request))
    backend = settings.AUTHENTICATION_BACKENDS[0]
    if not provider_mfa and confirmed_device(user) is not None:
        request.session.cycle_key()
        sessions.pending_login_store(
            request.session, user_id=user.pk, backend=backend, next_url=next_url
        )
        services.sso_code_asked(user=user, provider=provider.key)
        return redirect("accounts:login_verify")
    auth_login(request, user, backend=backend)
    if provider_mfa:
        # The provider's second factor stands for Miroir's (docs/security.md, "Single sign-on").
        sessions.session_mark_verified(request.session)
    services.sso_login_succeeded(user=user, provider=provider.key, provider_mfa=provider_mfa)
    return redirect(next_url)


def _refused(
    request: HttpRequest, provider: sso.Provider, refusal: sso.SsoRefused, user: User | None
) -> HttpResponse:
    """Return the page saying why, counted as a failed login of this address (and account).

    An unreachable provider is nobody's failure: it is audited, not counted.
    """
    email = user.email if user is not None else ""
    started: list[str] = []
    if refusal.reason != sso.UNREACHABLE:
        started = lockout.failure_record(email=email, address=ratelimit.client_address(request))
    services.sso_refused(provider=provider.key, reason=refusal.reason, user=user, locked=started)
    context = {"provider": provider, "message": refusal.message}
    status = 502 if refusal.reason == sso.UNREACHABLE else 403
    return render(request, TEMPLATE, context, status=status)


def _locked(request: HttpRequest, provider: sso.Provider, wait: int) -> HttpResponse:
    """Return the page asking to wait: this address failed too often, with any method."""
    message = _(
        "Too many failed attempts from this connection: signing in is paused for %(wait)s."
    ) % {"wait": ratelimit.wait_text(wait)}
    response = render(request, TEMPLATE, {"provider": provider, "message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response
