"""Pulses (recurring waves), invitation messages and the calendar of waves.

Administrators and direction create, change, pause, resume and stop pulses and write the
invitation messages; managers see the pulses and the calendar of their subtree.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from miroir.collect import selectors, services
from miroir.collect.forms import MessageForm, PulseForm
from miroir.collect.messages import message_previews
from miroir.collect.models import Pulse, PulseStatus, Wave
from miroir.core.pagination import paginate
from miroir.instruments.forms import form_add_errors
from miroir.org.selectors import request_scope

NAV = "waves"
CALENDAR_MONTHS = 12
# The years the calendar may show (a month outside them shows the default window).
CALENDAR_YEARS = (2000, 2100)


def _page(request: HttpRequest, template: str, **context: object) -> HttpResponse:
    return render(request, f"collect/{template}", {"nav_section": NAV, **context})


@login_required
@require_GET
def pulse_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.waves_can_view(scope):
        raise PermissionDenied
    page = paginate(request, selectors.pulses_in_scope(scope))
    now = timezone.now()
    rows = [(pulse, selectors.pulse_upcoming(pulse, now=now, count=1)) for pulse in page]
    return _page(
        request, "pulse_list.html", page=page, rows=rows, can_edit=selectors.waves_can_edit(scope)
    )


@login_required
@require_http_methods(["GET", "POST"])
def pulse_create(request: HttpRequest) -> HttpResponse:
    if not selectors.waves_can_edit(request_scope(request)):
        raise PermissionDenied
    form = PulseForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if form.is_valid():
        try:
            pulse = services.pulse_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Pulse created: its waves will come on schedule."))
            return redirect("collect:pulse_detail", pulse.pk)
    return _page(request, "pulse_form.html", form=form, pulse=None)


@login_required
@require_GET
def pulse_detail(request: HttpRequest, pulse_id: int) -> HttpResponse:
    scope = request_scope(request)
    pulse = selectors.access_pulse(scope, pulse_id)
    can_edit = selectors.waves_can_edit(scope)
    waves = selectors.waves_in_scope(scope).filter(pulse=pulse).order_by("-pulse_rank")
    return _page(
        request,
        "pulse_detail.html",
        pulse=pulse,
        units=pulse.units.order_by("path"),
        page=paginate(request, waves),
        upcoming=selectors.pulse_upcoming(pulse, now=timezone.now()),
        can_edit=can_edit,
        preview=selectors.audience_preview(pulse, scope) if can_edit else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pulse_edit(request: HttpRequest, pulse_id: int) -> HttpResponse:
    pulse = selectors.access_pulse(request_scope(request), pulse_id, write=True)
    form = PulseForm(request.POST or None, initial=PulseForm.initial_from(pulse))
    if request.method == "POST" and form.is_valid():
        try:
            services.pulse_update(pulse=pulse, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Pulse saved: the waves to come follow it."))
            return redirect("collect:pulse_detail", pulse.pk)
    return _page(request, "pulse_form.html", form=form, pulse=pulse)


def _pulse_move(request: HttpRequest, pulse_id: int, status: str, done: str) -> HttpResponse:
    pulse = selectors.access_pulse(request_scope(request), pulse_id, write=True)
    try:
        services.pulse_set_status(pulse=pulse, actor=request.user, status=status)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("collect:pulse_detail", pulse.pk)


@login_required
@require_POST
def pulse_pause(request: HttpRequest, pulse_id: int) -> HttpResponse:
    return _pulse_move(request, pulse_id, PulseStatus.PAUSED, _("Pulse paused."))


@login_required
@require_POST
def pulse_resume(request: HttpRequest, pulse_id: int) -> HttpResponse:
    return _pulse_move(request, pulse_id, PulseStatus.ACTIVE, _("Pulse resumed."))


@login_required
@require_POST
def pulse_stop(request: HttpRequest, pulse_id: int) -> HttpResponse:
    return _pulse_move(request, pulse_id, PulseStatus.STOPPED, _("Pulse stopped."))


def _message_page(request: HttpRequest, source: Wave | Pulse) -> HttpResponse:
    """The invitation message form of a draft wave or a pulse, with its preview."""
    form = MessageForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(source, Pulse):
                services.pulse_messages_set(
                    pulse=source, actor=request.user, messages=form.messages()
                )
            else:
                services.wave_messages_set(
                    wave=source, actor=request.user, messages=form.messages()
                )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Invitation message saved."))
            return redirect(request.path)
    if isinstance(source, Pulse):
        upcoming = selectors.pulse_upcoming(source, now=timezone.now(), count=1)
        closes_at = upcoming[0][2] if upcoming else selectors.pulse_schedule(source).closes(0)
    else:
        closes_at = source.closes_at
    return _page(
        request,
        "message_form.html",
        form=form,
        source=source,
        is_pulse=isinstance(source, Pulse),
        previews=message_previews(source, closes_at=closes_at),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pulse_message(request: HttpRequest, pulse_id: int) -> HttpResponse:
    pulse = selectors.access_pulse(request_scope(request), pulse_id, write=True)
    return _message_page(request, pulse)


@login_required
@require_http_methods(["GET", "POST"])
def wave_message(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.access_wave(request_scope(request), wave_id, write=True)
    if not wave.is_draft:
        messages.error(request, _("Only a draft wave can be changed."))
        return redirect("collect:wave_detail", wave.pk)
    return _message_page(request, wave)


def _month(text: str | None, default: date) -> date:
    """Return the first day of the month ``YYYY-MM`` (the default for anything else)."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        day = date(year, month, 1)
    except ValueError:
        return default
    return day if CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1] else default


@login_required
@require_GET
def wave_calendar(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.waves_can_view(scope):
        raise PermissionDenied
    today = timezone.localdate()
    default = date(today.year, today.month, 1)
    start = _month(request.GET.get("from"), selectors.month_add(default, -2))
    return _page(
        request,
        "wave_calendar.html",
        months=selectors.waves_calendar(
            scope, start=start, months=CALENDAR_MONTHS, now=timezone.now()
        ),
        today=today,
        earlier=selectors.month_add(start, -CALENDAR_MONTHS),
        later=selectors.month_add(start, CALENDAR_MONTHS),
    )
