"""Shop tablets: a manager sets one up for a unit (and revokes it); on the tablet, anyone
leaves an anonymous voice without a login and reads its claim code (docs/voices.md, "Shop
tablets")."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from miroir.accounts.twofactor import qr_svg
from miroir.core.ratelimit import client_address, rate_limit
from miroir.instruments.forms import form_add_errors
from miroir.org.selectors import access_unit, request_scope
from miroir.voices import services
from miroir.voices.forms import TabletVoiceForm
from miroir.voices.models import VoiceTablet
from miroir.voices.tablets import (
    COOKIE_NAME,
    FRAGMENT_NAME,
    access_tablet,
    tablet_by_key,
    tablet_issue,
    tablet_link,
    tablet_revoke,
)

# The tablet keeps its key until it is revoked; the cookie is renewed at each set-up.
COOKIE_SECONDS = 365 * 24 * 3600
# The claim code stays on the shared screen this long, then the blank form comes back.
CLAIM_SECONDS = 180


def _per_tablet(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return f"{client_address(request)}/{kwargs['tablet_id']}"


def _tablet_path(tablet_id: Any) -> str:
    return reverse("voices:tablet", args=[tablet_id])


@login_required
@never_cache
@require_POST
def tablet_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request_scope(request), unit_id)
    tablet, key = tablet_issue(unit=unit, actor=request.user)
    url = tablet_link(tablet, key)
    context = {
        "unit": unit,
        "url": url,
        "qr_svg": qr_svg(url, title=_("QR code of the tablet link")),
        "nav_section": "units",
    }
    response = render(request, "voices/tablet_issued.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def tablet_end(request: HttpRequest, tablet_id: UUID) -> HttpResponse:
    tablet = access_tablet(request_scope(request), tablet_id)
    tablet_revoke(tablet=tablet, actor=request.user)
    messages.success(
        request,
        _("The tablet of %(unit)s is revoked: it no longer takes voices.")
        % {"unit": tablet.unit.name},
    )
    return redirect("org:unit_detail", tablet.unit_id)


@rate_limit("voice_tablet", key=_per_tablet, methods=("POST",))
@never_cache
@require_http_methods(["GET", "POST"])
def tablet(request: HttpRequest, tablet_id: UUID) -> HttpResponse:
    """The tablet's page: its set-up without a key, else the form and, once sent, the code."""
    found = tablet_by_key(tablet_id, request.COOKIES.get(COOKIE_NAME))
    if found is None:
        return _setup_page(request, tablet_id)
    form = TabletVoiceForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            received = services.tablet_voice_submit(unit=found.unit, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            if not received.created or not received.claim_code:
                messages.info(request, _("This voice was already sent; nothing new was stored."))
                return redirect(_tablet_path(found.pk))
            context = {
                "code": received.claim_code,
                "back": _tablet_path(found.pk),
                "claim_seconds": CLAIM_SECONDS,
            }
            return render(request, "voices/tablet_claim_code.html", context)
    return render(request, "voices/tablet.html", {"form": form, "unit": found.unit})


def _setup_page(request: HttpRequest, tablet_id: Any) -> HttpResponse:
    context = {
        "setup_url": reverse("voices:tablet_setup", args=[tablet_id]),
        "fragment_name": FRAGMENT_NAME,
    }
    status = 403 if request.method == "POST" else 200
    return render(request, "voices/tablet_setup.html", context, status=status)


@rate_limit("voice_tablet", key=_per_tablet)
@never_cache
@require_POST
def tablet_setup(request: HttpRequest, tablet_id: UUID) -> JsonResponse:
    """Take the key the set-up page read from the link's fragment; keep it in the cookie."""
    key = request.POST.get(FRAGMENT_NAME, "")
    found: VoiceTablet | None = tablet_by_key(tablet_id, key)
    if found is None:
        return JsonResponse(
            {"code": "tablet.unknown_key", "message": "No tablet has this key."}, status=404
        )
    response = JsonResponse({"status": "ready"})
    response.set_cookie(
        COOKIE_NAME,
        key,
        max_age=COOKIE_SECONDS,
        path=_tablet_path(found.pk),
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
