"""Signing in without an e-mail address: a code sent by SMS to one's mobile number, or a
personal link a manager hands out; the phones kept signed in, listed and ended from the
Security page; the manager's side of the links (docs/security.md, "Signing in by phone")."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from miroir.accounts import lockout, services, sessions, signin_services
from miroir.accounts.models import LoginSession, SignInLink, User
from miroir.accounts.selectors import confirmed_device
from miroir.accounts.signin_forms import PhoneNumberForm, SignInCodeForm, SignInLinkForm
from miroir.accounts.signin_selectors import phone_method_refusal, sign_in_link_by_token
from miroir.accounts.twofactor import qr_svg
from miroir.accounts.views import _failed, _locked, _next_url
from miroir.core import ratelimit
from miroir.core.middleware import csrf_opaque_origin
from miroir.org.selectors import access_member, request_scope

BACKEND = "django.contrib.auth.backends.ModelBackend"
# The number a code was asked for, kept in the (anonymous) session for the second page.
PHONE_PENDING = "miroir_phone_pending"


def _signed_in(request: HttpRequest, user: User, method: str, remember: bool) -> None:
    auth_login(request, user, backend=BACKEND)
    services.login_succeeded(user=user, method=method)
    signin_services.session_signed_in(
        session=request.session,
        method=method,
        remember=remember,
        user_agent=request.headers.get("User-Agent", "")[:400],
    )


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_phone(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = PhoneNumberForm(request.POST or None)
    context = {"form": form, "next": _next_url(request)}
    if request.method == "POST":
        address = ratelimit.client_address(request)
        for name, key in (("login", address), ("signin_sms_address", address)):
            verdict = ratelimit.hit(name, key)
            if not verdict.allowed:
                return ratelimit.too_many_requests(request, verdict.retry_after)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            # Counted for every number typed, known or not: the answer tells nothing.
            verdict = ratelimit.hit("signin_sms_number", phone)
            if not verdict.allowed:
                return ratelimit.too_many_requests(request, verdict.retry_after)
            signin_services.sign_in_code_send(phone=phone, language=get_language() or "")
            request.session[PHONE_PENDING] = {"phone": phone, "next": context["next"]}
            return redirect("accounts:login_phone_code")
    return render(request, "accounts/login_phone.html", context)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_phone_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PHONE_PENDING)
    if not isinstance(pending, dict) or not pending.get("phone"):
        messages.info(request, _("Type your mobile number first: the code is sent to it."))
        return redirect("accounts:login_phone")
    phone = pending["phone"]
    form = SignInCodeForm(request.POST or None)
    context = {"form": form, "minutes": signin_services.CODE_MINUTES}
    if request.method == "POST":
        address = ratelimit.client_address(request)
        verdict = ratelimit.hit("login", address)
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict.retry_after)
        wait = lockout.lock_remaining(email=phone, address=address)
        if wait:
            return _locked(request, "accounts/login_phone_code.html", context, wait)
        user = form.is_valid() and signin_services.sign_in_code_check(
            phone=phone, code=form.cleaned_data["code"]
        )
        if user:
            return _code_accepted(request, user, phone, form.cleaned_data["remember"], pending)
        form.add_error(
            None, _("This code is not valid, or it has expired: check it, or ask for a new one.")
        )
        if _failed(request, phone, User.objects.filter(phone=phone).first(), "sms_code"):
            return _locked(
                request,
                "accounts/login_phone_code.html",
                context,
                settings.MIROIR_LOGIN_LOCKOUT_SECONDS,
            )
    return render(request, "accounts/login_phone_code.html", context)


def _code_accepted(
    request: HttpRequest, user: User, phone: str, remember: bool, pending: dict
) -> HttpResponse:
    request.session.pop(PHONE_PENDING, None)
    lockout.failures_clear(email=phone, address=ratelimit.client_address(request))
    refusal = phone_method_refusal(user)
    if refusal:
        messages.error(request, refusal)
        return redirect("accounts:login")
    if confirmed_device(user) is not None:
        # The code stands in for the password; the authenticator is still asked for.
        request.session.cycle_key()
        sessions.pending_login_store(
            request.session, user_id=user.pk, backend=BACKEND, next_url=pending.get("next", "")
        )
        return redirect("accounts:login_verify")
    _signed_in(request, user, "sms", remember)
    return redirect(pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL))


# The page sends no referrer (its address is a credential), so its form posts with
# ``Origin: null``: the CSRF token still decides (core/middleware.py).
@csrf_opaque_origin
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """Show the link's page (GET); sign in with it (POST): a link scanner signs nobody in."""
    link = sign_in_link_by_token(token)
    form = SignInLinkForm(request.POST if request.method == "POST" else None)
    context = {"link": link, "form": form}
    if link is not None:
        context["refusal"] = phone_method_refusal(link.user)
    if request.method == "POST" and link is not None and not context["refusal"]:
        verdict = ratelimit.hit("login", ratelimit.client_address(request))
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict.retry_after)
        try:
            user = signin_services.sign_in_link_use(link=link)
        except ValidationError:
            context["link"] = None
        else:
            if request.user.is_authenticated:
                logout(request)
            form.is_valid()
            _signed_in(request, user, "link", bool(form.cleaned_data.get("remember")))
            return redirect(settings.LOGIN_REDIRECT_URL)
    response = render(request, "accounts/login_link.html", context, status=200 if link else 404)
    # The address holds a credential: no page it leads to learns it.
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    login_session = LoginSession.objects.filter(pk=session_id, user=request.user).first()
    if login_session is None:
        raise Http404("No such session")
    current = login_session.session_key == request.session.session_key
    signin_services.remembered_session_end(login_session=login_session, actor=request.user)
    if current:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, _("That phone is signed out."))
    return redirect("accounts:two_factor")


# --- the manager's side: handing out a link -----------------------------------------------


@login_required
@never_cache
@require_POST
def member_sign_in_link(request: HttpRequest, member_id: int) -> HttpResponse:
    scope = request_scope(request)
    member = access_member(scope, member_id)
    try:
        link, token = signin_services.sign_in_link_issue(member=member, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("org:unit_detail", member.unit_id)
    url = signin_services.sign_in_link_url(token)
    context = {
        "member": member,
        "link": link,
        "url": url,
        "qr_svg": qr_svg(url, title=_("QR code of the sign-in link")),
        "nav_section": "units",
    }
    response = render(request, "accounts/sign_in_link_issued.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def sign_in_link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    link = SignInLink.objects.select_related("user__member").filter(pk=link_id).first()
    member = getattr(link.user, "member", None) if link is not None else None
    if member is None:
        raise Http404("No such link")
    access_member(request_scope(request), member.pk)
    signin_services.sign_in_link_revoke(link=link, actor=request.user)
    messages.success(
        request, _("The sign-in link of %(name)s is revoked.") % {"name": member.full_name}
    )
    return redirect("org:unit_detail", member.unit_id)
