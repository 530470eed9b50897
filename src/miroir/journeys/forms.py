"""Forms of the journey editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from miroir.journeys.models import Journey, Moment, TeamFunction
from miroir.org.models import Unit


class JourneyForm(forms.ModelForm):
    class Meta:
        model = Journey
        fields = [
            "code",
            "kind",
            "name_fr",
            "name_en",
            "description_fr",
            "description_en",
            "is_active",
        ]
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"code": _("Letters, digits and dashes; it never changes once created.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Maps and answers refer to a journey by its code and kind: fixed once created.
            for name in ("code", "kind"):
                self.fields[name].disabled = True


class MomentForm(forms.ModelForm):
    teams = forms.MultipleChoiceField(
        label=_("Teams that produce it"),
        choices=TeamFunction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Moment
        fields = ["code", "name_fr", "name_en", "stage", "order", "is_active", "teams"]
        help_texts = {
            "code": _("Questions, interactions and maps refer to it: it never changes."),
            "order": _("Moments show in this order within their stage."),
        }

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.journey = journey
        if self.instance.pk is not None:
            self.fields["code"].disabled = True
        if journey.kind != "customer":
            del self.fields["teams"]


class MapWaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    journey = forms.ModelChoiceField(
        label=_("Journey"), queryset=Journey.objects.filter(is_active=True)
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the team does not see these maps"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def map_answers_from(post: Any, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Return the ratings a map form posted, by moment code (blank fields left out)."""
    truth = {"yes": True, "no": False}
    return {
        code: {
            "satisfaction": post.get(f"{code}-satisfaction") or None,
            "emotion": post.get(f"{code}-emotion") or "",
            "moment_of_truth": truth.get(post.get(f"{code}-truth") or ""),
            "solution": post.get(f"{code}-solution") or "",
        }
        for code in codes
    }
