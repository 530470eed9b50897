"""The privacy page: administrators answer one person's access and erasure requests.

Addresses travel in POST bodies only, so that no URL, browser history or access log holds
them.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from miroir.org.selectors import request_scope
from miroir.privacy import selectors, services
from miroir.privacy.forms import ContactForm, EraseForm


def _page(
    request: HttpRequest, form: ContactForm, erase_form: EraseForm | None = None, status: int = 200
) -> HttpResponse:
    records = None
    if form.is_bound and form.is_valid():
        records = selectors.contact_records(form.query)
        erase_form = erase_form or EraseForm(initial=form.cleaned_data)
    context = {
        "form": form,
        "records": records,
        "erase_form": erase_form,
        "anonymous_note": selectors.ANONYMOUS_RESPONSES_NOTE,
        "nav_section": "privacy",
    }
    return render(request, "privacy/search.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def privacy_search(request: HttpRequest) -> HttpResponse:
    selectors.access_privacy(request_scope(request))
    form = ContactForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        services.contact_view(query=form.query, actor=request.user)
    return _page(request, form, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_POST
@never_cache
def privacy_export(request: HttpRequest) -> HttpResponse:
    selectors.access_privacy(request_scope(request))
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = services.contact_export(query=form.query, actor=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="miroir-personal-data.json"'
    return response


@login_required
@require_POST
@never_cache
def privacy_erase(request: HttpRequest) -> HttpResponse:
    selectors.access_privacy(request_scope(request))
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _page(request, ContactForm(request.POST), erase_form=form, status=400)
    try:
        report = services.contact_erase(
            query=form.query, actor=request.user, opt_out=form.cleaned_data["opt_out"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, ContactForm(request.POST), erase_form=form, status=400)
    messages.success(
        request,
        _(
            "Erased. Invitations: %(invitations)d; responses unlinked: %(responses)d; "
            "interactions: %(interactions)d; members: %(members)d."
        )
        % {
            "invitations": report.invitations,
            "responses": report.responses_unlinked,
            "interactions": report.interactions,
            "members": report.members,
        },
    )
    return redirect("privacy:search")
