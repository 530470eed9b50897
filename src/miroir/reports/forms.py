"""The form a manager publishes a unit's results to its team with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miroir.results.models import PUBLICATION_MESSAGE_MAX


class PublishForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=16)
    message = forms.CharField(
        label=_("Message to the team (optional)"),
        required=False,
        max_length=PUBLICATION_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
