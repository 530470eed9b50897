from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miroir.api.forms import unit_field_value
from miroir.org.models import Unit
from miroir.webhooks.events import event_choices
from miroir.webhooks.models import NAME_MAX, URL_MAX


class _EventsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=event_choices, **kwargs)  # type: ignore[arg-type]


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    # Checked by the service (https, public address): a plain field keeps its message.
    url = forms.CharField(
        label=_("URL"),
        max_length=URL_MAX,
        help_text=_("An https:// address of the receiving system."),
    )
    events = _EventsField(label=_("Events"))
    # A text field, as for API tokens: a network has thousands of units.
    unit = forms.CharField(
        label=_("Scope"),
        required=False,
        max_length=64,
        help_text=_(
            "External id or number of a unit: only its subtree's events; empty for the "
            "whole network."
        ),
    )

    def clean_unit(self) -> Unit | None:
        return unit_field_value(self.cleaned_data["unit"])


class SubscriptionEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    url = forms.CharField(label=_("URL"), max_length=URL_MAX)
    events = _EventsField(label=_("Events"))
    active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Turning it on again clears its failures.")
    )
