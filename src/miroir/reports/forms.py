"""The forms of the result pages: publishing to the team, monthly PDF reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Member
from miroir.results.models import PUBLICATION_MESSAGE_MAX


class PublishForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=16)
    message = forms.CharField(
        label=_("Message to the team (optional)"),
        required=False,
        max_length=PUBLICATION_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportSubscriptionForm(forms.Form):
    """A unit's monthly PDF report: which report, in which language, when, to whom."""

    page = forms.ChoiceField(label=_("Report"), choices=())
    language = forms.ChoiceField(label=_("Language"), choices=(), required=False)
    day = forms.IntegerField(label=_("Day of the month"), min_value=1, initial=1)
    recipients = forms.MultipleChoiceField(
        label=_("Recipients"), choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, candidates: list[Member], **kwargs: Any) -> None:
        from miroir.reports.models import LAST_DAY, ReportLanguage, ReportPage

        super().__init__(*args, **kwargs)
        self.candidates = {str(member.pk): member for member in candidates}
        self.fields["page"].choices = ReportPage.choices
        self.fields["language"].choices = ReportLanguage.choices
        self.fields["day"].max_value = LAST_DAY
        self.fields["day"].validators.append(MaxValueValidator(LAST_DAY))
        self.fields["day"].widget.attrs["max"] = LAST_DAY
        self.fields["recipients"].choices = [
            (key, f"{member.first_name} {member.last_name}")
            for key, member in self.candidates.items()
        ]

    def clean_recipients(self) -> list[Member]:
        return [self.candidates[key] for key in self.cleaned_data["recipients"]]
