"""Forms of the voice pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from miroir.collect.forms import moment_choices
from miroir.collect.tokens import submission_id_new
from miroir.org.models import Unit
from miroir.voices.models import (
    COMMENT_MAX,
    STAFF_KINDS,
    TEXT_MAX,
    TITLE_MAX,
    VoiceKind,
    VoiceNotify,
    VoiceOutcome,
    VoiceStatus,
)


def _moment_field(required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Moment of the customer journey"),
        required=required,
        help_text=_("For an irritant: where in the customer's journey it hurts."),
    )


class VoiceForm(forms.Form):
    """What an employee or a partner sends from their phone."""

    kind = forms.ChoiceField(
        label=_("What do you want to share?"),
        choices=[(kind.value, kind.label) for kind in STAFF_KINDS],
        initial=VoiceKind.SUGGESTION,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=TITLE_MAX, required=False)
    text = forms.CharField(
        label=_("Your words"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    moment = _moment_field()
    anonymous = forms.BooleanField(
        label=_("Send it anonymously"),
        required=False,
        help_text=_(
            "Nothing will tie it to you: you get a private code to follow it and read the answer."
        ),
    )
    submission_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    notify = forms.ChoiceField(
        label=_("Tell me of the answer"),
        choices=VoiceNotify.choices,
        initial=VoiceNotify.APP,
        help_text=_("Signed voices only; an anonymous voice is followed with its code."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moment"].choices = [("", "—"), *moment_choices()]
        if not self.is_bound:
            self.initial["submission_id"] = submission_id_new()


class ComplaintForm(forms.Form):
    """A customer's complaint, on the public page of a unit."""

    text = forms.CharField(
        label=_("What went wrong?"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    moment = _moment_field()
    contact_email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("To receive the answer by e-mail; it is used for nothing else."),
    )
    # Left empty by people; filled by robots that fill every field.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moment"].choices = [("", "—"), *moment_choices()]
        self.fields["moment"].help_text = ""
        self.fields["website"].label = _("Leave this field empty")


class ClaimForm(forms.Form):
    code = forms.CharField(
        label=_("Your claim code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in VoiceOutcome if o != VoiceOutcome.MERGED],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Answer"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to decline: say why."),
    )
    effect = forms.CharField(
        label=_("Effect (once implemented)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What changed: it appears in “You said, we did”."),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Add to this idea"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong?"), max_length=300)


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *VoiceKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *VoiceStatus.choices], required=False
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._units = {str(unit.pk): unit for unit in units}
        self.fields["unit"].choices = [
            ("", _("All units")),
            *((str(unit.pk), unit.name) for unit in units),
        ]

    def clean_unit(self) -> Unit | None:
        """Return the unit chosen among those offered (the scope's), or None for all."""
        return self._units.get(self.cleaned_data["unit"])


class TabletVoiceForm(VoiceForm):
    """What anyone leaves on a shop tablet: always anonymous, followed with its code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["anonymous"]
        del self.fields["notify"]
