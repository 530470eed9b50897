"""Session rules applied on every request: idle timeout, absolute lifetime, disabled accounts,
and the second factor for the roles that require it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from miroir.accounts import sessions, twofactor
from miroir.accounts.selectors import confirmed_device, two_factor_required

# Writing the last-seen time on every request would save the session every time; a minute's
# precision is enough for an idle timeout counted in minutes.
SEEN_PRECISION = 60
# A session that needs no second factor is checked again this often, so that a role granted
# (or an authenticator set up elsewhere) takes effect within a minute.
RECHECK_SECONDS = 60
# Pages reachable before the second factor: the login steps, the set-up, logging out.
OPEN_VIEWS = {
    "accounts:login",
    "accounts:login_verify",
    "accounts:sso_start",
    "accounts:sso_callback",
    "accounts:login_phone",
    "accounts:login_phone_code",
    "accounts:login_link",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:two_factor",
    "accounts:two_factor_setup",
    "accounts:two_factor_recovery_codes",
    "set_language",
    "core:healthz",
    "core:manifest",
    "core:service_worker",
    "core:offline",
}


class AccountSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session and not request.user.is_authenticated:
            # A disabled or removed account: its session ends at its next request.
            session.flush()
        elif request.user.is_authenticated:
            self._enforce_lifetime(request)
        return self.get_response(request)

    def _enforce_lifetime(self, request: HttpRequest) -> None:
        session, moment = request.session, int(twofactor.now())
        started, seen = session.get(sessions.LOGIN_AT), session.get(sessions.SEEN_AT)
        if started is None:
            sessions.session_start(session)
            return
        remembered = session.get(sessions.REMEMBERED_UNTIL)
        if remembered is not None:
            # A phone its owner keeps signed in: no idle timeout, its own end.
            expired, idle = moment > remembered, False
        else:
            expired = moment - started > settings.MIROIR_SESSION_MAX_LIFETIME
            idle = seen is not None and moment - seen > settings.MIROIR_SESSION_IDLE_TIMEOUT
        if expired or idle:
            logout(request)
            messages.info(request, _("Your session has ended. Please log in again."))
        elif seen is None or moment - seen >= SEEN_PRECISION:
            session[sessions.SEEN_AT] = moment

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user, session = request.user, request.session
        if not user.is_authenticated or sessions.session_is_verified(session):
            return None
        moment = int(twofactor.now())
        if moment - session.get(sessions.CHECKED_AT, -RECHECK_SECONDS) < RECHECK_SECONDS:
            return None
        if confirmed_device(user) is not None:
            # Logged in without the code (an authenticator set up in another session since):
            # start again through both steps.
            logout(request)
            return self._to(request, "accounts:login", with_next=True)
        if not two_factor_required(user):
            session[sessions.CHECKED_AT] = moment
            return None
        match = request.resolver_match
        if match and match.view_name in OPEN_VIEWS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "two_factor_required",
                    "message": _("Set up two-factor authentication to continue."),
                },
                status=403,
            )
        return self._to(request, "accounts:two_factor_setup")

    @staticmethod
    def _to(request: HttpRequest, name: str, *, with_next: bool = False) -> HttpResponse:
        url = reverse(name)
        if with_next and request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
