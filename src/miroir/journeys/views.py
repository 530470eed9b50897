"""The journey editor: direction and administrators shape journeys, managers read them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from miroir.journeys import selectors, services
from miroir.journeys.forms import JourneyForm, MomentForm
from miroir.journeys.models import Journey, Moment
from miroir.org.selectors import request_scope

NAV = "journeys"


def _page(request: HttpRequest, template: str, **context: object) -> HttpResponse:
    return render(request, f"journeys/{template}", {"nav_section": NAV, **context})


@login_required
@require_GET
def journey_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.journeys_can_view(scope):
        raise PermissionDenied
    journeys = list(selectors.journeys_list())
    loaded = {journey.code for journey in journeys}
    can_edit = selectors.journeys_can_edit(scope)
    templates = [t for t in services.journey_templates() if t["code"] not in loaded]
    return _page(
        request,
        "journey_list.html",
        journeys=journeys,
        can_edit=can_edit,
        templates=templates if can_edit else [],
    )


@login_required
@require_POST
def template_load(request: HttpRequest, code: str) -> HttpResponse:
    if not selectors.journeys_can_edit(request_scope(request)):
        raise PermissionDenied
    try:
        journey = services.journey_template_load(code=code, actor=request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("journeys:list")
    messages.success(request, _("Journey loaded."))
    return redirect("journeys:detail", journey.pk)


@login_required
@require_GET
def journey_detail(request: HttpRequest, journey_id: int) -> HttpResponse:
    scope = request_scope(request)
    journey = selectors.access_journey(scope, journey_id)
    can_edit = selectors.journeys_can_edit(scope)
    stages = selectors.journey_stages(journey, active_only=not can_edit)
    return _page(request, "journey_detail.html", journey=journey, stages=stages, can_edit=can_edit)


def _journey_form(request: HttpRequest, journey: Journey) -> HttpResponse:
    form = JourneyForm(request.POST or None, instance=journey)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.journey_save(journey=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Journey saved."))
            return redirect("journeys:detail", saved.pk)
    return _page(request, "journey_form.html", form=form, journey=journey)


@login_required
@require_http_methods(["GET", "POST"])
def journey_create(request: HttpRequest) -> HttpResponse:
    if not selectors.journeys_can_edit(request_scope(request)):
        raise PermissionDenied
    return _journey_form(request, Journey())


@login_required
@require_http_methods(["GET", "POST"])
def journey_edit(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = selectors.access_journey(request_scope(request), journey_id, write=True)
    return _journey_form(request, journey)


def _moment_form(request: HttpRequest, journey: Journey, moment: Moment) -> HttpResponse:
    form = MomentForm(request.POST or None, instance=moment, journey=journey)
    if request.method == "POST" and form.is_valid():
        try:
            services.moment_save(moment=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Moment saved."))
            return redirect("journeys:detail", journey.pk)
    return _page(request, "moment_form.html", form=form, journey=journey, moment=moment)


@login_required
@require_http_methods(["GET", "POST"])
def moment_create(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = selectors.access_journey(request_scope(request), journey_id, write=True)
    return _moment_form(request, journey, Moment(journey=journey))


@login_required
@require_http_methods(["GET", "POST"])
def moment_edit(request: HttpRequest, journey_id: int, moment_id: int) -> HttpResponse:
    scope = request_scope(request)
    journey = selectors.access_journey(scope, journey_id, write=True)
    moment = selectors.access_moment(scope, journey, moment_id)
    return _moment_form(request, journey, moment)
