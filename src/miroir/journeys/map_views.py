"""Satisfaction map pages: map waves, the phone form, a unit's maps, their publication."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from miroir.analytics.maps import EMOTIONS
from miroir.journeys import selectors, services
from miroir.journeys.figures import unit_map
from miroir.journeys.forms import MapWaveForm, WithdrawForm, map_answers_from
from miroir.journeys.map_charts import map_charts
from miroir.journeys.models import MapPublication, MapWave, Moment
from miroir.org.selectors import request_scope

NAV = "maps"


def _page(request: HttpRequest, template: str, **context: object) -> HttpResponse:
    return render(request, f"journeys/{template}", {"nav_section": NAV, **context})


def _language() -> str:
    return (translation.get_language() or "fr")[:2]


@login_required
@require_GET
def map_mine(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    return _page(
        request,
        "map_mine.html",
        to_answer=selectors.map_waves_to_answer(request.user),
        published=selectors.map_publications_for(request.user),
        waves=selectors.map_waves_visible(scope) if scope.can_browse else [],
        can_manage=selectors.map_waves_can_manage(scope),
    )


@login_required
@require_http_methods(["GET", "POST"])
def map_wave_create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.map_waves_can_manage(scope):
        raise PermissionDenied
    form = MapWaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.map_wave_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("maps:wave", wave.pk)
    return _page(request, "map_wave_form.html", form=form)


@login_required
@require_GET
def map_wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_map_wave(scope, wave_id)
    units = selectors.units_with_maps(scope, wave)
    return _page(
        request,
        "map_wave.html",
        wave=wave,
        units=units,
        can_manage=selectors.map_waves_can_manage(scope),
    )


def _wave_step(request: HttpRequest, wave_id: int, step: str) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_map_wave(scope, wave_id)
    if not selectors.map_waves_can_manage(scope):
        raise PermissionDenied
    try:
        if step == "open":
            services.map_wave_open(wave=wave, actor=request.user)
        else:
            services.map_wave_close(wave=wave, actor=request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect("maps:wave", wave.pk)


@login_required
@require_POST
def map_wave_open(request: HttpRequest, wave_id: int) -> HttpResponse:
    return _wave_step(request, wave_id, "open")


@login_required
@require_POST
def map_wave_close(request: HttpRequest, wave_id: int) -> HttpResponse:
    return _wave_step(request, wave_id, "close")


@login_required
@require_http_methods(["GET", "POST"])
def map_respond(request: HttpRequest, public_id: str) -> HttpResponse:
    wave = get_object_or_404(MapWave.objects.select_related("journey", "unit"), public_id=public_id)
    seat = selectors.map_seat(wave, request.user)
    if seat is None or wave not in selectors.map_waves_to_answer(request.user):
        raise Http404("No map to answer here")
    moments = selectors.map_moments(wave)
    errors: list[str] = []
    if request.method == "POST":
        answers = map_answers_from(request.POST, [moment.code for moment in moments])
        try:
            services.map_submit(wave=wave, user=request.user, answers=answers)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Thank you: your map is recorded."))
            return redirect("maps:mine")
    return _page(
        request,
        "map_respond.html",
        wave=wave,
        seat=seat,
        moments=moments,
        emotions=list(EMOTIONS),
        attributed=settings.MIROIR_ESTIMATE_ATTRIBUTED,
        errors=errors,
        posted=request.POST,
        scale=range(1, 6),
    )


@login_required
@require_GET
def map_unit(request: HttpRequest, wave_id: int, unit_id: int) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_map_wave(scope, wave_id)
    unit = selectors.access_map_unit(scope, wave, unit_id)
    data = unit_map(wave, unit, language=_language())
    return _page(
        request,
        "map_unit.html",
        wave=wave,
        unit=unit,
        data=data,
        charts=map_charts(data, _language()),
        publication=selectors.map_publication_of(wave, unit),
        pain_points={point.moment.code for point in selectors.pain_points_of(unit)},
        withdraw_form=WithdrawForm(),
    )


@login_required
@require_POST
def map_withdraw(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = _managed_publication(request, publication_id)
    form = WithdrawForm(request.POST)
    try:
        reason = form.data.get("reason", "")
        services.map_publication_hold(publication=publication, actor=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect("maps:unit", publication.wave_id, publication.unit_id)


@login_required
@require_POST
def map_republish(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = _managed_publication(request, publication_id)
    try:
        services.map_publication_restore(publication=publication, actor=request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect("maps:unit", publication.wave_id, publication.unit_id)


def _managed_publication(request: HttpRequest, publication_id: int) -> MapPublication:
    scope = request_scope(request)
    publication = get_object_or_404(MapPublication.objects.select_related("wave", "unit"),
                                    pk=publication_id)  # fmt: skip
    selectors.access_map_unit(scope, publication.wave, publication.unit_id)
    return publication


@login_required
@require_POST
def pain_point_mark(request: HttpRequest, wave_id: int, unit_id: int, code: str) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_map_wave(scope, wave_id)
    unit = selectors.access_map_unit(scope, wave, unit_id)
    moment = get_object_or_404(Moment, code=code, journey=wave.journey)
    point = next((p for p in selectors.pain_points_of(unit) if p.moment_id == moment.pk), None)
    if point is None:
        services.pain_point_mark(unit=unit, moment=moment, wave=wave, actor=request.user)
    else:
        services.pain_point_clear(point=point, actor=request.user)
    return redirect("maps:unit", wave.pk, unit.pk)


@login_required
@require_GET
def map_published(request: HttpRequest, publication_id: int) -> HttpResponse:
    scope = request_scope(request)
    publication = selectors.access_published_map(request.user, scope, publication_id)
    data = selectors.published_map_for(publication, request.user)
    return _page(
        request,
        "map_published.html",
        publication=publication,
        data=data,
        charts=map_charts(data, _language()),
    )
