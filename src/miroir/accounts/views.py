"""Logging in (password, then the authenticator's code when one is set up), the second
factor's pages (set-up, recovery codes, turning it off), and the administrators' page of
logins: resetting a second factor, lifting a lock, disabling and enabling a login."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from miroir.accounts import lockout, services, sessions, sso, twofactor
from miroir.accounts.forms import (
    AccountDisableForm,
    AccountLookupForm,
    EmailAuthenticationForm,
    SecondFactorForm,
    TotpCodeForm,
)
from miroir.accounts.models import User
from miroir.accounts.selectors import (
    account_disable_refusal,
    account_enable_refusal,
    confirmed_device,
    login_by_identifier,
    logins_disabled_by_administrators,
    recovery_codes_left,
    single_sign_on_required,
    two_factor_required,
    unconfirmed_device,
)
from miroir.accounts.signin_selectors import remembered_sessions
from miroir.core import ratelimit
from miroir.org.selectors import request_scope


def _next_url(request: HttpRequest) -> str:
    """Return where to go after logging in: the asked page when it is ours, else home.

    A path only: ``redirect`` would take a bare word such as ``40000`` for a view's name.
    """
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked(request: HttpRequest, template: str, context: dict, wait: int) -> HttpResponse:
    message = _(
        "Too many failed attempts: logging in is paused for %(wait)s. "
        "If you forgot your password, ask for a new one below."
    ) % {"wait": ratelimit.wait_text(wait)}
    response = render(request, template, {**context, "locked": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _failed(request: HttpRequest, email: str, user: User | None, stage: str) -> bool:
    """Count a failed login; return whether it locked this address out (of the account)."""
    started = lockout.failure_record(email=email, address=ratelimit.client_address(request))
    services.login_failed(email=email, user=user, locked=started, stage=stage)
    return lockout.PAIR in started or lockout.ADDRESS in started


def _delayed(request: HttpRequest, context: dict, wait: int, error: str = "") -> HttpResponse:
    """Return the login page asking to wait, or to add the authenticator's code right now."""
    message = _(
        "Many failed attempts were made on this account: wait %(wait)s before trying the "
        "password alone again. With an authenticator app, enter its code with your password "
        "to log in now."
    ) % {"wait": ratelimit.wait_text(wait)}
    context = {**context, "locked": message, "offer_code": True, "code_error": error}
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _login_with_code(
    request: HttpRequest, form: EmailAuthenticationForm, context: dict, email: str, wait: int
) -> HttpResponse:
    """Let an owner whose account is slowed down by others' failures in with their code."""
    code = (request.POST.get("code") or "").strip()[:20]
    if not code:
        return _delayed(request, context, wait)
    user = form.get_user() if form.is_valid() else None
    if user is not None and single_sign_on_required(user):
        return _single_sign_on_only(request, form, context)
    method = user is not None and services.second_factor_check(user=user, code=code)
    if user is not None and method:
        lockout.failures_clear(email=user.email, address=ratelimit.client_address(request))
        auth_login(request, user)
        sessions.session_mark_verified(request.session)
        services.login_succeeded(user=user, method=method)
        return redirect(context["next"])
    known = user or User.objects.filter(email=email).first()
    if _failed(request, email, known, "password_and_code"):
        return _locked(
            request, "accounts/login.html", context, settings.MIROIR_LOGIN_LOCKOUT_SECONDS
        )
    wait = lockout.account_delay(email=email) or wait
    return _delayed(request, context, wait, _("The password or the code is not right."))


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = EmailAuthenticationForm(request, data=request.POST or None)
    context = {"form": form, "next": next_url}
    if request.method == "POST":
        address = ratelimit.client_address(request)
        verdict = ratelimit.hit("login", address)
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict.retry_after)
        email = (request.POST.get("username") or "").strip().lower()
        wait = lockout.lock_remaining(email=email, address=address)
        if wait:
            return _locked(request, "accounts/login.html", context, wait)
        delay = lockout.account_delay(email=email)
        if delay:
            return _login_with_code(request, form, context, email, delay)
        if form.is_valid():
            if single_sign_on_required(form.get_user()):
                return _single_sign_on_only(request, form, context)
            return _password_accepted(request, form.get_user(), next_url)
        if _failed(request, email, User.objects.filter(email=email).first(), "password"):
            return _locked(
                request, "accounts/login.html", context, settings.MIROIR_LOGIN_LOCKOUT_SECONDS
            )
    return render(request, "accounts/login.html", context)


def _single_sign_on_only(
    request: HttpRequest, form: EmailAuthenticationForm, context: dict
) -> HttpResponse:
    """Refuse a right password to a role that logs in through a provider (SSO) only."""
    user = form.get_user()
    services.login_failed(email=user.email, user=user, locked=[], stage="sso_required")
    names = ", ".join(provider.name for provider in sso.providers())
    form.add_error(
        None,
        _(
            "Your role logs in through single sign-on only, not with a password: use the "
            "“Log in with %(providers)s” button above."
        )
        % {"providers": names},
    )
    return render(request, "accounts/login.html", context, status=403)


def _password_accepted(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    lockout.failures_clear(email=user.email, address=ratelimit.client_address(request))
    if confirmed_device(user) is not None:
        # Not logged in yet: the session only remembers who gave the right password.
        request.session.cycle_key()
        sessions.pending_login_store(
            request.session, user_id=user.pk, backend=user.backend, next_url=next_url
        )
        return redirect("accounts:login_verify")
    auth_login(request, user)
    services.login_succeeded(user=user, method="password")
    return redirect(next_url)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    pending = sessions.pending_login(request.session)
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if pending is None or user is None:
        messages.info(request, _("Please log in again: the code was not entered in time."))
        return redirect("accounts:login")
    form = SecondFactorForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        address = ratelimit.client_address(request)
        verdict = ratelimit.hit("login", address)
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict.retry_after)
        wait = lockout.lock_remaining(email=user.email, address=address)
        if wait:
            return _locked(request, "accounts/login_verify.html", context, wait)
        method = form.is_valid() and services.second_factor_check(
            user=user, code=form.cleaned_data["code"]
        )
        if method:
            request.session.pop(sessions.PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            sessions.session_mark_verified(request.session)
            lockout.failures_clear(email=user.email, address=address)
            services.login_succeeded(user=user, method=method)
            return redirect(pending["next"])
        form.add_error(None, _("This code is not valid, or it was already used."))
        if _failed(request, user.email, user, "second_factor"):
            request.session.pop(sessions.PENDING, None)
            return _locked(
                request,
                "accounts/login_verify.html",
                context,
                settings.MIROIR_LOGIN_LOCKOUT_SECONDS,
            )
    return render(request, "accounts/login_verify.html", context)


@login_required
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "device": confirmed_device(user),
        "required": two_factor_required(user),
        "codes_left": recovery_codes_left(user),
        "disable_form": TotpCodeForm(),
        "remembered": remembered_sessions(user),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if confirmed_device(user) is not None:
        return redirect("accounts:two_factor")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            sessions.session_mark_verified(request.session)
            request.session[sessions.RECOVERY_CODES] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:two_factor_recovery_codes")
    device = unconfirmed_device(user) or services.totp_setup_start(user=user)
    uri = twofactor.provisioning_uri(device.secret, user.identifier)
    context = {
        "form": form,
        "qr_svg": twofactor.qr_svg(uri, title=_("QR code to scan with your authenticator app")),
        "secret": twofactor.grouped(device.secret),
        "required": two_factor_required(user),
    }
    if context["required"]:
        # Every other page sends back here until this is done: offer none of them.
        context["nav_items"] = []
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show freshly made recovery codes once; a POST replaces them all."""
    if request.method == "POST":
        if not sessions.session_is_verified(request.session):
            raise PermissionDenied("Log in with your second factor first")
        try:
            codes = services.recovery_codes_regenerate(user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("accounts:two_factor")
        request.session[sessions.RECOVERY_CODES] = codes
        return redirect("accounts:two_factor_recovery_codes")
    codes = request.session.pop(sessions.RECOVERY_CODES, None)
    if not codes:
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = TotpCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter the code shown by your app."))
        services.totp_disable(user=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    except PermissionDenied:
        messages.error(request, _("Your role requires two-factor authentication: it stays on."))
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")


def _administrator_only(request: HttpRequest) -> None:
    if not request_scope(request).is_administrator:
        raise PermissionDenied("Only administrators manage other people's logins")


def _account_page(account: User) -> str:
    """Return the address of the administrators' page showing ``account``."""
    return reverse("accounts:security_admin") + "?" + urlencode({"login": account.identifier})


@login_required
@never_cache
@require_http_methods(["GET"])
def account_security_admin(request: HttpRequest) -> HttpResponse:
    _administrator_only(request)
    form = AccountLookupForm(request.GET or None)
    account = None
    if form.is_bound and form.is_valid():
        account = login_by_identifier(form.cleaned_data["login"])
        if account is None:
            form.add_error("login", _("No login has this e-mail address or mobile number."))
    context = {
        "form": form,
        "account": account,
        "nav_section": "accounts",
        "disabled_logins": logins_disabled_by_administrators(),
    }
    if account is not None:
        context |= {
            "device": confirmed_device(account),
            "locked_for": lockout.account_delay(email=account.identifier),
            "disable_form": AccountDisableForm(),
            "disable_refusal": account_disable_refusal(user=account, actor=request.user),
            "enable_refusal": account_enable_refusal(user=account),
        }
    return render(request, "accounts/account_security_admin.html", context)


@login_required
@require_POST
def two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    _administrator_only(request)
    account = get_object_or_404(User, pk=user_id)
    services.totp_reset(user=account, actor=request.user)
    messages.success(
        request,
        _("Two-factor authentication was removed from %(email)s.") % {"email": account.identifier},
    )
    return redirect(_account_page(account))


@login_required
@require_POST
def login_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    _administrator_only(request)
    account = get_object_or_404(User, pk=user_id)
    services.login_unlock(user=account, actor=request.user)
    messages.success(request, _("%(email)s may log in again.") % {"email": account.identifier})
    return redirect(_account_page(account))


@login_required
@require_POST
def account_disable(request: HttpRequest, user_id: int) -> HttpResponse:
    _administrator_only(request)
    account = get_object_or_404(User, pk=user_id)
    if not AccountDisableForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm that this login is to be disabled."))
        return redirect(_account_page(account))
    try:
        ended = services.account_disable(user=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        text = ngettext(
            "The login of %(email)s is disabled; %(count)d session ended.",
            "The login of %(email)s is disabled; %(count)d sessions ended.",
            ended,
        )
        messages.success(request, text % {"email": account.identifier, "count": ended})
    return redirect(_account_page(account))


@login_required
@require_POST
def account_enable(request: HttpRequest, user_id: int) -> HttpResponse:
    _administrator_only(request)
    account = get_object_or_404(User, pk=user_id)
    try:
        services.account_enable(user=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("The login of %(email)s is enabled again.") % {"email": account.identifier},
        )
    return redirect(_account_page(account))
