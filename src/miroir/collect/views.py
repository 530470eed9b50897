"""Wave pages: administrators and direction create, launch and close; managers follow counts."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from miroir.collect import selectors, services
from miroir.collect.channels.kiosk.views import channel_forms
from miroir.collect.forms import ThresholdForm, WaveFilterForm, WaveForm
from miroir.core.pagination import paginate
from miroir.instruments.forms import form_add_errors
from miroir.org.selectors import request_scope

NAV = "waves"


def _page(request: HttpRequest, template: str, **context: object) -> HttpResponse:
    return render(request, f"collect/{template}", {"nav_section": NAV, **context})


def _messages_from(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_GET
def wave_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.waves_can_view(scope):
        raise PermissionDenied
    form = WaveFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.waves_in_scope(scope, **filters))
    # Counted for the waves of this page only: each wave's counts stand on their own.
    counts = selectors.wave_totals(list(page), scope, today=timezone.localdate())
    return _page(
        request,
        "wave_list.html",
        form=form,
        page=page,
        rows=[(wave, counts[wave.pk]) for wave in page],
        can_edit=selectors.waves_can_edit(scope),
    )


@login_required
@require_http_methods(["GET", "POST"])
def wave_create(request: HttpRequest) -> HttpResponse:
    if not selectors.waves_can_edit(request_scope(request)):
        raise PermissionDenied
    form = WaveForm(request.POST or None)
    if form.is_valid():
        try:
            wave = services.wave_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Wave created. Check it, then launch it."))
            return redirect("collect:wave_detail", wave.pk)
    return _page(request, "wave_form.html", form=form, wave=None)


@login_required
@require_GET
def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_wave(scope, wave_id)
    can_edit = selectors.waves_can_edit(scope)
    return _page(
        request,
        "wave_detail.html",
        wave=wave,
        preview=selectors.audience_preview(wave, scope) if can_edit and wave.is_draft else None,
        counts=selectors.wave_counts(wave, scope, today=timezone.localdate()),
        units=wave.units.order_by("path"),
        can_edit=can_edit,
        can_export=scope.is_administrator and selectors.links_export_open(wave, now=timezone.now()),
        threshold_form=ThresholdForm(
            initial={"scores": wave.threshold_scores, "verbatims": wave.threshold_verbatims}
        ),
        kiosks=selectors.kiosks_in_scope(wave, scope),
        **channel_forms(wave, scope),
    )


@login_required
@require_http_methods(["GET", "POST"])
def wave_edit(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.access_wave(request_scope(request), wave_id, write=True)
    if not wave.is_draft:
        messages.error(request, _("Only a draft wave can be changed."))
        return redirect("collect:wave_detail", wave.pk)
    form = WaveForm(request.POST or None, initial=WaveForm.initial_from(wave))
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_update(wave=wave, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Wave saved."))
            return redirect("collect:wave_detail", wave.pk)
    return _page(request, "wave_form.html", form=form, wave=wave)


@login_required
@require_POST
def wave_launch(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.access_wave(request_scope(request), wave_id, write=True)
    try:
        wave = services.wave_launch(wave=wave, actor=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Wave launched."))
    return redirect("collect:wave_detail", wave.pk)


@login_required
@require_POST
def wave_close(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.access_wave(request_scope(request), wave_id, write=True)
    try:
        services.wave_close(wave=wave, actor=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Wave closed."))
    return redirect("collect:wave_detail", wave.pk)


@login_required
@require_POST
def wave_thresholds(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.access_wave(request_scope(request), wave_id, write=True)
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Give whole numbers up to %(max)d for both thresholds.")
            % {"max": services.THRESHOLD_MAX},
        )
        return redirect("collect:wave_detail", wave.pk)
    try:
        services.wave_raise_thresholds(
            wave=wave,
            actor=request.user,
            scores=form.cleaned_data["scores"],
            verbatims=form.cleaned_data["verbatims"],
        )
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Thresholds saved."))
    return redirect("collect:wave_detail", wave.pk)


@login_required
@require_POST
@never_cache
def wave_links_csv(request: HttpRequest, wave_id: int) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_wave(scope, wave_id)
    if not scope.is_administrator:
        raise PermissionDenied
    try:
        rows = services.wave_links_export(wave=wave, actor=request.user)
    except ValidationError as error:
        _messages_from(request, error)
        return redirect("collect:wave_detail", wave.pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-links.csv"'
    # A byte-order mark, so that spreadsheet software reads the accents right.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Member"), _("Unit"), _("Unit id"), _("Language"), _("Link")])
    for row in rows:
        writer.writerow(
            [_cell(row.member), _cell(row.unit), _cell(row.unit_external_id), row.language, row.url]
        )
    return response


def _cell(text: str) -> str:
    """Return text a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
