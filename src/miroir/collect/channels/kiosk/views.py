"""Kiosks: a tablet answering one wave for one unit, anonymous, offline-tolerant.

Issuing (``wave_kiosk``) is for administrators and the direction. The tablet's page
(``kiosk``) and its JSON intake (``kiosk_submit``) authenticate the device by the signed
key in an HttpOnly cookie plus a header only a page of this origin can compute; that
pair, not Django's CSRF token, is what refuses forged cross-site submissions, so a page
left open for weeks never fails on a rotated CSRF token (docs/collection.md, "Kiosks").
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from miroir.collect import selectors, services
from miroir.collect.channels.kiosk.keys import (
    COOKIE_NAME,
    FRAGMENT_NAME,
    HEADER_NAME,
    kiosk_header_token,
    kiosk_header_valid,
)
from miroir.collect.channels.posters.views import PosterForm, poster_units, posters_available
from miroir.collect.errors import CollectError, ResponseRejected
from miroir.collect.models import Kiosk, Language, Wave, WaveStatus
from miroir.collect.respondent_views import NOTICES, _language, _notice, _render, no_referrer
from miroir.collect.selectors import Target
from miroir.core.ratelimit import client_address, rate_limit
from miroir.instruments.forms import item_field_name
from miroir.journeys.selectors import moments_active
from miroir.org.models import Unit
from miroir.org.selectors import Scope, request_scope

# A kiosk shows its thanks this long, then the blank form for the next person; a form
# left half-filled this long is cleared, so the next person never sees it.
RESET_SECONDS = 6
IDLE_SECONDS = 120
# How often the page retries sending what it kept during a network cut.
RETRY_SECONDS = 15
MAX_BODY = 64 * 1024


class KioskForm(forms.Form):
    prefix = "kiosk"

    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)
    moment = forms.ChoiceField(label=gettext_lazy("Journey moment"), required=False)

    def __init__(self, *args: Any, wave: Wave, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]
        if selectors.wave_keeps_moment(wave):
            self.fields["moment"].choices = [("", gettext_lazy("Any moment"))] + [
                (moment.code, moment.name(wave.language)) for moment in moments_active()
            ]
        else:
            del self.fields["moment"]


def kiosks_available(wave: Wave) -> bool:
    return "kiosk" in wave.channels and wave.status in (WaveStatus.OPEN, WaveStatus.SCHEDULED)


def channel_forms(wave: Wave, scope: Scope) -> dict[str, forms.Form | None]:
    """Return the poster and kiosk forms the wave page offers this scope (None: not offered)."""
    units = poster_units(wave, scope) if wave.open_links or "kiosk" in wave.channels else []
    poster = PosterForm(wave=wave, units=units) if posters_available(wave) and units else None
    kiosk = (
        KioskForm(wave=wave, units=units)
        if kiosks_available(wave) and units and selectors.waves_can_edit(scope)
        else None
    )
    return {"poster_form": poster, "kiosk_form": kiosk}


def _refused(
    request: HttpRequest, wave: Wave, unit: Unit | None, errors: list[str]
) -> HttpResponse:
    context = {"nav_section": "waves", "wave": wave, "unit": unit, "errors": errors}
    return render(request, "collect/kiosk_issued.html", context, status=400)


@login_required
@require_POST
@never_cache
def wave_kiosk(request: HttpRequest, wave_id: int) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_wave(scope, wave_id, write=True)
    form = KioskForm(request.POST, wave=wave, units=poster_units(wave, scope))
    if not form.is_valid():
        errors = [
            f"{form[name].label}: {' '.join(messages)}" for name, messages in form.errors.items()
        ]
        return _refused(request, wave, None, errors)
    unit = Unit.objects.get(pk=form.cleaned_data["unit"])
    moment = form.cleaned_data.get("moment") or None
    try:
        kiosk, key = services.kiosk_issue(wave=wave, unit=unit, moment=moment, actor=request.user)
    except ValidationError as error:
        return _refused(request, wave, unit, error.messages)
    import segno

    url = services.kiosk_link(kiosk, key)
    context = {
        "nav_section": "waves",
        "wave": wave,
        "unit": unit,
        "moment": moment,
        "url": url,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=4),
    }
    response = render(request, "collect/kiosk_issued.html", context)
    # The page shows a secret: nothing of it leaves with a link followed from here.
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def wave_kiosk_revoke(request: HttpRequest, wave_id: int, kiosk_id: str) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_wave(scope, wave_id)
    kiosk = selectors.access_kiosk(scope, wave, kiosk_id)
    try:
        services.kiosk_revoke(kiosk=kiosk, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            flash.error(request, message)
    else:
        flash.success(
            request,
            _("The kiosk of %(unit)s is revoked: its tablet no longer sends answers.")
            % {"unit": kiosk.unit.name},
        )
    return redirect("collect:wave_detail", wave.pk)


def _kiosk_key(request: HttpRequest, public_id: Any, unit_id: int) -> Kiosk | None:
    key = request.COOKIES.get(COOKIE_NAME)
    return selectors.kiosk_by_key(key, public_id=public_id, unit_id=unit_id)


def _kiosk_path(public_id: Any, unit_id: int) -> str:
    return reverse("collect:kiosk", args=[public_id, unit_id])


def _setup_page(request: HttpRequest, target: Target, language: str) -> HttpResponse:
    """Return the page that takes the key from the link's fragment and sets the tablet up."""
    wave, unit = target.wave, target.unit
    with translation.override(language):
        failed = _(
            "This kiosk link is not valid (any more): ask the person in charge for a new one."
        )
    context = {
        "title": selectors.respondent_heading(unit=unit),
        "setup_url": reverse("collect:kiosk_setup", args=[wave.public_id, unit.pk]),
        "fragment_name": FRAGMENT_NAME,
        "msg_failed": failed,
    }
    return _render(request, "kiosk_setup.html", language, context)


def _set_cookie(request: HttpRequest, response: HttpResponse, kiosk: Kiosk, key: str) -> None:
    lifetime = max(timedelta(minutes=1), kiosk.wave.closes_at - timezone.now())
    response.set_cookie(
        COOKIE_NAME,
        key,
        max_age=int(lifetime.total_seconds()),
        path=_kiosk_path(kiosk.wave.public_id, kiosk.unit_id),
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _kiosk_page(request: HttpRequest, target: Target, signed: str, language: str) -> HttpResponse:
    wave = target.wave
    items = selectors.respondent_items(wave)
    path = _kiosk_path(wave.public_id, target.unit.pk)
    with translation.override(language):
        messages = {
            "thanks_stored": _("Thank you! Your answers have been recorded."),
            "thanks_queued": _(
                "Thank you! Your answers are kept on this tablet and will be sent as soon as "
                "the network is back."
            ),
            "required": _("Please answer this question."),
            "pending": _("Answers waiting for the network: %(count)s"),
            "setup": _("This kiosk must be set up again: ask the person in charge."),
        }
    context = {
        "title": selectors.respondent_heading(unit=target.unit),
        "lens": wave.lens,
        "rows": [
            {"item": item, "field_name": item_field_name(item), "value": None, "error": ""}
            for item in items
        ],
        "anonymous": wave.protects_identity,
        "unit": target.unit,
        "kiosk_path": path,
        "submit_url": reverse("collect:kiosk_submit", args=[wave.public_id, target.unit.pk]),
        "manifest_url": reverse("collect:kiosk_manifest", args=[wave.public_id, target.unit.pk]),
        "header_token": kiosk_header_token(signed),
        "queue_key": f"miroir-kiosk:{wave.public_id}/{target.unit.pk}",
        "reset_seconds": RESET_SECONDS,
        "idle_seconds": IDLE_SECONDS,
        "retry_seconds": RETRY_SECONDS,
        "messages": messages,
    }
    return _render(request, "kiosk.html", language, context)


@require_GET
@never_cache
@no_referrer
def kiosk(request: HttpRequest, public_id: Any, unit_id: int) -> HttpResponse:
    # A key is never taken from the query (it would sit in every log on its way): the
    # link carries it after "#", and the setup page posts it (``kiosk_setup``).
    language = _language(request, Language.FRENCH)
    kiosk = _kiosk_key(request, public_id, unit_id)
    try:
        moment = kiosk.moment or None if kiosk is not None else None
        target = selectors.target_for_kiosk(public_id, unit_id, moment=moment)
        language = _language(request, target.wave.language)
        if kiosk is None:
            return _setup_page(request, target, language)
        selectors.target_check(target, now=timezone.now())
    except CollectError as error:
        return _notice(request, error, language)
    return _kiosk_page(request, target, request.COOKIES[COOKIE_NAME], language)


def _json_error(code: str, message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


def _same_origin(request: HttpRequest) -> bool:
    """Return whether the browser says the request comes from a page of this site."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = {f"{request.scheme}://{request.get_host()}", settings.SITE_URL}
    return origin in allowed or origin in settings.CSRF_TRUSTED_ORIGINS


def _payload(request: HttpRequest) -> dict[str, Any] | None:
    if request.content_type != "application/json" or len(request.body) > MAX_BODY:
        return None
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return None
    answers = payload["answers"]
    if any(isinstance(v, bool) or not isinstance(v, str | int | float) for v in answers.values()):
        return None
    payload["answers"] = {str(code): str(value) for code, value in answers.items()}
    return payload


def _per_kiosk(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    # Several shops may share an address (one company network): count each kiosk apart.
    return f"{client_address(request)}/{kwargs['public_id']}/{kwargs['unit_id']}"


@rate_limit("kiosk", key=_per_kiosk, as_json=True)
@require_POST
@never_cache
@no_referrer
def kiosk_setup(request: HttpRequest, public_id: Any, unit_id: int) -> JsonResponse:
    """Take the key the setup page read from the link's fragment; keep it in the cookie."""
    key = request.POST.get(FRAGMENT_NAME, "")
    kiosk = selectors.kiosk_by_key(key, public_id=public_id, unit_id=unit_id)
    if kiosk is None or not _same_origin(request):
        return _json_error("kiosk.unknown_key", "No kiosk has this key.", 404)
    try:
        selectors.target_for_kiosk(public_id, unit_id, moment=kiosk.moment or None)
    except CollectError as error:
        return _json_error(error.code, "This kiosk cannot be set up.", error.status)
    response = JsonResponse({"status": "ready"})
    _set_cookie(request, response, kiosk, key)
    return response


# Not exempt from protection, exempt from the CSRF *token*: the device key travels in an
# HttpOnly SameSite cookie and, derived, in a header that a cross-site page can neither
# read nor send without a CORS preflight this site never grants; the Origin is checked too.
@csrf_exempt
@rate_limit("kiosk", key=_per_kiosk, as_json=True)
@require_POST
@never_cache
@no_referrer
def kiosk_submit(request: HttpRequest, public_id: Any, unit_id: int) -> JsonResponse:
    signed = request.COOKIES.get(COOKIE_NAME)
    key = _kiosk_key(request, public_id, unit_id)
    if (
        key is None
        or not kiosk_header_valid(signed or "", request.headers.get(HEADER_NAME))
        or not _same_origin(request)
    ):
        return _json_error("kiosk.forbidden", "This device is not a kiosk of this unit.", 403)
    payload = _payload(request)
    if payload is None:
        return _json_error(
            "kiosk.bad_request",
            'Send JSON: {"submission_id": "…", "answers": {"item code": "value"}, "lang": "fr"}.',
            400,
        )
    language = payload.get("lang") if payload.get("lang") in Language.values else Language.FRENCH
    try:
        result = services.response_submit(
            answers=payload["answers"],
            submission_id=str(payload.get("submission_id") or ""),
            language=language,
            kiosk=(public_id, unit_id),
            moment=key.moment or None,
        )
    except ResponseRejected as rejected:
        problems = [
            {"item": problem.item_code, "reason": problem.reason, "message": problem.message}
            for problem in rejected.problems
        ]
        return _json_error(rejected.code, "The answers were refused.", 400, problems=problems)
    except CollectError as error:
        with translation.override(language):
            message = str(NOTICES[error.code][1]) if error.code in NOTICES else error.code
        return _json_error(error.code, message, error.status)
    if result.replayed:
        return JsonResponse({"status": "replayed"}, status=200)
    return JsonResponse({"status": "stored"}, status=201)


@require_GET
def kiosk_manifest(request: HttpRequest, public_id: Any, unit_id: int) -> JsonResponse:
    """Return the web app manifest that lets a tablet keep the kiosk on its home screen."""
    try:
        target = selectors.target_for_kiosk(public_id, unit_id)
    except CollectError as error:
        return _json_error(error.code, "No such kiosk.", 404)
    path = _kiosk_path(target.wave.public_id, target.unit.pk)
    with translation.override(target.wave.language):
        name = _("Miroir kiosk")
    manifest = {
        "name": name,
        "short_name": "Miroir",
        "start_url": path,
        "scope": path,
        "display": "fullscreen",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#1d4e5f",
        "icons": [
            {
                "src": f"{settings.STATIC_URL}miroir/favicon.svg",
                "sizes": "any",
                "type": "image/svg+xml",
            }
        ],
    }
    response = JsonResponse(manifest)
    response["Content-Type"] = "application/manifest+json"
    return response
