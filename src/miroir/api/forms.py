from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miroir.api.selectors import unit_by_reference
from miroir.api.services import TOKEN_MAX_DAYS
from miroir.org.models import Unit


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    # A text field, not a select: a network has thousands of units, and an integrator
    # knows the external id its own system uses.
    unit = forms.CharField(
        label=_("Scope"),
        required=False,
        max_length=64,
        help_text=_("External id or number of a unit; empty for the whole network."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"), required=False, min_value=1, max_value=TOKEN_MAX_DAYS
    )

    def clean_unit(self) -> Unit | None:
        return unit_field_value(self.cleaned_data["unit"])


def unit_field_value(value: str) -> Unit | None:
    """Return the unit a form's text field names (external id or number), None when empty."""
    value = value.strip()
    if not value:
        return None
    unit = unit_by_reference(value)
    if unit is None:
        raise forms.ValidationError(
            _("No unit has the external id or number “%(value)s”."), params={"value": value}
        )
    return unit
