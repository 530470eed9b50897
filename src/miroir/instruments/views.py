"""The questionnaire editor: administrators and direction build, managers read."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from miroir.instruments import catalogs, selectors, services
from miroir.instruments.forms import (
    CatalogUploadForm,
    InstrumentForm,
    ItemForm,
    MirrorForm,
    answer_rows,
    answers_validate,
    form_add_errors,
)
from miroir.instruments.logic import answer_key, items_asked
from miroir.instruments.models import Instrument
from miroir.org.models import Lens
from miroir.org.selectors import request_scope

NAV = "instruments"


def _locked(request: HttpRequest, instrument: Instrument) -> HttpResponse:
    """Return the page that explains a locked questionnaire and offers to duplicate it."""
    context = {"instrument": instrument, "nav_section": NAV}
    return render(request, "instruments/locked.html", context, status=409)


def _form_page(request: HttpRequest, template: str, **context: object) -> HttpResponse:
    return render(request, f"instruments/{template}", {"nav_section": NAV, **context})


@login_required
@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.instruments_can_view(scope):
        raise PermissionDenied
    instruments = list(selectors.instruments_list())
    loaded = {instrument.slug for instrument in instruments}
    context = {
        "instruments": instruments,
        "can_edit": selectors.instruments_can_edit(scope),
        "bundled": [(name, name in loaded) for name in catalogs.catalog_names()]
        if scope.is_administrator
        else [],
        "nav_section": NAV,
    }
    return render(request, "instruments/instrument_list.html", context)


@login_required
@require_POST
def catalog_load(request: HttpRequest, name: str) -> HttpResponse:
    if not request_scope(request).is_administrator:
        raise PermissionDenied
    try:
        instrument = catalogs.catalog_load(name=name, actor=request.user)
    except catalogs.CatalogError as error:
        for problem in error.errors:
            messages.error(request, problem)
        return redirect("instruments:list")
    messages.success(request, _("Catalog loaded."))
    return redirect("instruments:detail", instrument.pk)


@login_required
@require_http_methods(["GET", "POST"])
def instrument_create(request: HttpRequest) -> HttpResponse:
    if not selectors.instruments_can_edit(request_scope(request)):
        raise PermissionDenied
    form = InstrumentForm(request.POST or None)
    if form.is_valid():
        try:
            instrument = services.instrument_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return redirect("instruments:detail", instrument.pk)
    return _form_page(request, "instrument_form.html", form=form, instrument=None)


@login_required
@require_GET
def instrument_detail(request: HttpRequest, instrument_id: int) -> HttpResponse:
    scope = request_scope(request)
    instrument = selectors.access_instrument(scope, instrument_id)
    lenses = selectors.instrument_lenses(instrument) or list(Lens.values)
    context = {
        "instrument": instrument,
        "language": translation.get_language(),
        "lenses": [(lens, Lens(lens).label) for lens in lenses],
        "rows": selectors.mirror_side_by_side(instrument, lenses=lenses),
        "loose_items": selectors.items_without_mirror(instrument),
        "items": selectors.instrument_items(instrument),
        "can_edit": selectors.instruments_can_edit(scope),
        "nav_section": NAV,
    }
    return render(request, "instruments/instrument_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def instrument_edit(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id, write=True)
    if instrument.is_locked:
        return _locked(request, instrument)
    form = InstrumentForm(request.POST or None, initial=InstrumentForm.initial_from(instrument))
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_update(
                instrument=instrument, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Questionnaire saved."))
            return redirect("instruments:detail", instrument.pk)
    return _form_page(request, "instrument_form.html", form=form, instrument=instrument)


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id, write=True)
    if instrument.is_locked:
        return _locked(request, instrument)
    form = ItemForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_create(instrument=instrument, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Question added."))
            return redirect("instruments:detail", instrument.pk)
    return _form_page(request, "item_form.html", form=form, instrument=instrument, item=None)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, instrument_id: int, item_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id, write=True)
    item = selectors.access_item(instrument, item_id)
    if instrument.is_locked:
        return _locked(request, instrument)
    initial = ItemForm.initial_from(item)
    form = ItemForm(request.POST or None, initial=initial, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(item=item, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect("instruments:detail", instrument.pk)
    return _form_page(request, "item_form.html", form=form, instrument=instrument, item=item)


@login_required
@require_POST
def item_delete(request: HttpRequest, instrument_id: int, item_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id, write=True)
    item = selectors.access_item(instrument, item_id)
    if instrument.is_locked:
        return _locked(request, instrument)
    try:
        services.item_delete(item=item, actor=request.user)
    except ValidationError as error:
        # Another question's condition refers to this one: it stays, and the page says why.
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Question deleted."))
    return redirect("instruments:detail", instrument.pk)


@login_required
@require_POST
def item_move(request: HttpRequest, instrument_id: int, item_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id, write=True)
    item = selectors.access_item(instrument, item_id)
    if instrument.is_locked:
        return _locked(request, instrument)
    direction = request.POST.get("direction", "")
    try:
        services.item_move(item=item, actor=request.user, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    # Back to the moved item, so that a keyboard user can press the same button again.
    return redirect(reverse("instruments:detail", args=[instrument.pk]) + f"#item-{item.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def mirror_create(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id, write=True)
    if instrument.is_locked:
        return _locked(request, instrument)
    form = MirrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mirror_create(instrument=instrument, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Mirror added."))
            return redirect("instruments:detail", instrument.pk)
    return _form_page(request, "mirror_form.html", form=form, instrument=instrument)


@login_required
@require_POST
def instrument_duplicate(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id, write=True)
    copy = services.instrument_duplicate(instrument=instrument, actor=request.user)
    messages.success(request, _("New version %(version)d created.") % {"version": copy.version})
    return redirect("instruments:detail", copy.pk)


@login_required
@require_GET
def instrument_export(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id)
    body = json.dumps(catalogs.catalog_export(instrument), ensure_ascii=False, indent=2)
    response = HttpResponse(f"{body}\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{instrument.slug}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def instrument_import(request: HttpRequest) -> HttpResponse:
    if not selectors.instruments_can_edit(request_scope(request)):
        raise PermissionDenied
    form = CatalogUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            data = catalogs.catalog_decode(form.cleaned_data["file"])
            spec = catalogs.catalog_parse(data)
            instrument = catalogs.catalog_import(
                spec=spec, actor=request.user, replace=form.cleaned_data["replace"]
            )
        except catalogs.CatalogError as error:
            problems = error.errors
        else:
            messages.success(request, _("Questionnaire imported."))
            return redirect("instruments:detail", instrument.pk)
    return _form_page(request, "instrument_import.html", form=form, problems=problems)


@login_required
@require_GET
def instrument_preview(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.access_instrument(request_scope(request), instrument_id)
    lenses = selectors.instrument_lenses(instrument) or [Lens.EMPLOYEE]
    lens = request.GET.get("lens") if request.GET.get("lens") in Lens.values else lenses[0]
    language = request.GET.get("lang") or translation.get_language()
    language = language if language in ("fr", "en") else "fr"
    items = list(selectors.items_for_lens(instrument, lens))
    answers, errors = {}, {}
    if request.GET.get("check"):
        answers, errors = answers_validate(items, request.GET, language=language)
    codes = {item.pk: item.code for item in items}
    asked = items_asked(items, {codes[pk]: answer_key(value) for pk, value in answers.items()})
    context = {
        "instrument": instrument,
        "title": instrument.title(language),
        "description": instrument.description(language),
        "lens": lens,
        "lenses": [(code, Lens(code).label) for code in lenses],
        "language": language,
        "rows": answer_rows(items, request.GET, errors),
        "checked": bool(request.GET.get("check")),
        "error_count": len(errors),
        "not_asked": len(items) - len(asked),
        "has_logic": any(item.has_logic for item in items),
        "nav_section": NAV,
    }
    return render(request, "instruments/instrument_preview.html", context)
