"""QR posters: the printable files, and the short address their code carries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from miroir.collect import selectors
from miroir.collect.channels.posters import drawing
from miroir.collect.errors import UnknownLink
from miroir.collect.models import Language, Wave, WaveStatus
from miroir.collect.respondent_views import _notice
from miroir.journeys.models import Moment
from miroir.journeys.selectors import moments_active
from miroir.org.models import Unit
from miroir.org.selectors import Scope, request_scope

FORMATS = {"pdf": "application/pdf", "png": "image/png"}


class PosterForm(forms.Form):
    """Which poster to print: a unit of the audience in view, a moment, a language, a format."""

    prefix = "poster"

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    moment = forms.ChoiceField(label=_("Journey moment"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("png", "PNG")])

    def __init__(self, *args: Any, wave: Wave, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]
        self.fields["language"].initial = wave.language
        if selectors.wave_keeps_moment(wave):
            self.fields["moment"].choices = [("", _("Any moment"))] + [
                (moment.code, moment.name(wave.language)) for moment in moments_active()
            ]
        else:
            del self.fields["moment"]


def poster_units(wave: Wave, scope: Scope) -> list[Unit]:
    """Return the active units of the wave's audience that the scope reaches, tree order."""
    return list(
        Unit.objects.filter(
            selectors.wave_audience_filter(wave) & scope.unit_filter(), is_active=True
        ).order_by("path")
    )


def posters_available(wave: Wave) -> bool:
    """Return whether the wave's open links can be printed (scheduled or open, open links)."""
    return wave.open_links and wave.status in (WaveStatus.SCHEDULED, WaveStatus.OPEN)


@login_required
@require_GET
def wave_poster(request: HttpRequest, wave_id: int) -> HttpResponse:
    scope = request_scope(request)
    wave = selectors.access_wave(scope, wave_id)
    if not posters_available(wave):
        raise Http404("This wave has no open links to print")
    form = PosterForm(request.GET, wave=wave, units=poster_units(wave, scope))
    if not form.is_valid():
        # Only a forged address gets here: the wave page offers valid choices only.
        raise Http404("No such poster")
    unit = Unit.objects.get(pk=form.cleaned_data["unit"])
    code = form.cleaned_data.get("moment") or None
    language, kind = form.cleaned_data["language"], form.cleaned_data["format"]
    moment = Moment.objects.get(code=code) if code else None
    text = drawing.poster_text(
        wave, unit, moment_name=moment.name(language) if moment else None, language=language
    )
    url = drawing.poster_url(wave, unit, moment=code, language=language)
    render = drawing.poster_pdf if kind == "pdf" else drawing.poster_png
    response = HttpResponse(render(text, url), content_type=FORMATS[kind])
    name = f"poster-wave{wave.pk}-unit{unit.pk}{f'-{code}' if code else ''}-{language}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def poster_link(
    request: HttpRequest, code: str, unit_id: int, moment: str | None = None
) -> HttpResponse:
    """Send the holder of a poster's short address on to the wave's open link."""
    public_id = drawing.wave_public_id_from_code(code)
    if public_id is None:
        return _notice(request, UnknownLink(), Language.FRENCH)
    asked = (("m", moment), ("lang", request.GET.get("lang")))
    query = {key: value for key, value in asked if value}
    target = reverse("collect:respond_open", args=[public_id, unit_id])
    return redirect(f"{target}?{urlencode(query)}" if query else target)
