"""Forms of the wave pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from miroir.collect.channels import channel_choices
from miroir.collect.messages import custom_text, default_email_text, message_languages
from miroir.collect.models import (
    AudienceRole,
    Language,
    Pulse,
    ResponseAttribute,
    Wave,
    WaveKind,
    WaveStatus,
)
from miroir.collect.pulses import MAX_EVERY_WEEKS, MAX_OPEN_DAYS
from miroir.collect.services import (
    DEFAULT_HOT_DELAY_MINUTES,
    DEFAULT_HOT_VALID_DAYS,
    MAX_HOT_DELAY_MINUTES,
    MAX_HOT_VALID_DAYS,
    MESSAGE_MAX,
    THRESHOLD_MAX,
    threshold_floor,
)
from miroir.instruments.models import Instrument
from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Unit

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def moment_choices() -> list[tuple[str, str]]:
    language = get_language()
    return [(m.code, m.name(language)) for m in Moment.objects.filter(is_active=True)]


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        # The tree shows through indentation in the list.
        return f"{'· ' * obj.depth}{obj.name}"


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    instrument = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Instrument.objects.order_by("title_fr", "-version")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WaveKind.choices, initial=WaveKind.COLD)
    lens = forms.ChoiceField(
        label=_("Lens"),
        choices=Lens.choices,
        initial=Lens.EMPLOYEE,
        help_text=_("Who answers: the wave asks the questionnaire's questions for this lens."),
    )
    units = UnitChoiceField(
        label=_("Units"),
        queryset=Unit.objects.filter(is_active=True).order_by("path"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Each unit brings its whole subtree."),
    )
    contract_types = forms.MultipleChoiceField(
        label=_("Contract types"),
        choices=[(c.value, c.label) for c in ContractType if c != ContractType.PARTNER],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Employee waves only; none ticked: every contract."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles invited"),
        choices=AudienceRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Management waves only, within the units chosen; none ticked: every manager. "
            "The direction answers for the top of the organisation."
        ),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=channel_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Each person is invited through the first channel that reaches them."),
    )
    open_links = forms.BooleanField(
        label=_("Accept open links (anyone with a unit's link may answer, any number of times)"),
        required=False,
    )
    reminder_days = forms.CharField(
        label=_("Reminders"),
        required=False,
        help_text=_("Days after opening, separated by commas, e.g. 7, 14."),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at"),
        required=False,
        widget=_datetime_widget(),
        input_formats=[DATETIME_FORMAT],
        help_text=_("Empty: when launched."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=_datetime_widget(), input_formats=[DATETIME_FORMAT]
    )
    language = forms.ChoiceField(
        label=_("Default language"), choices=Language.choices, initial=Language.FRENCH
    )
    attributes = forms.MultipleChoiceField(
        label=_("Kept with each response"),
        choices=ResponseAttribute.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Besides the unit. Contract type for employees, proximity for partners."),
    )
    threshold_scores = forms.IntegerField(
        label=_("Minimum respondents for scores"), max_value=THRESHOLD_MAX
    )
    threshold_verbatims = forms.IntegerField(
        label=_("Minimum respondents for verbatims"), max_value=THRESHOLD_MAX
    )
    hot_delay_minutes = forms.IntegerField(
        label=_("Hot waves: delay after the interaction (minutes)"),
        min_value=0,
        max_value=MAX_HOT_DELAY_MINUTES,
        initial=DEFAULT_HOT_DELAY_MINUTES,
        required=False,
        help_text=_("SMS also wait for the sending window (Monday to Saturday, 10:00 to 20:00)."),
    )
    hot_valid_days = forms.IntegerField(
        label=_("Hot waves: invitation valid for (days after the interaction)"),
        min_value=1,
        max_value=MAX_HOT_VALID_DAYS,
        initial=DEFAULT_HOT_VALID_DAYS,
        required=False,
        help_text=_("Empty: the defaults (120 minutes, 7 days). Cold waves ignore both."),
    )
    hot_moments = forms.MultipleChoiceField(
        label=_("Hot waves: moments that trigger an invitation"),
        choices=moment_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every moment."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scores, verbatims = threshold_floor()
        self.fields["threshold_scores"].min_value = scores
        self.fields["threshold_scores"].initial = scores
        self.fields["threshold_verbatims"].initial = verbatims

    def clean_hot_delay_minutes(self) -> int:
        value = self.cleaned_data["hot_delay_minutes"]
        return DEFAULT_HOT_DELAY_MINUTES if value is None else value

    def clean_hot_valid_days(self) -> int:
        value = self.cleaned_data["hot_valid_days"]
        return DEFAULT_HOT_VALID_DAYS if value is None else value

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"]
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        try:
            return [int(part) for part in parts]
        except ValueError:
            raise ValidationError(_("Write whole numbers of days, e.g. 7, 14.")) from None

    @staticmethod
    def initial_from(wave: Wave) -> dict[str, Any]:
        initial = {name: getattr(wave, name) for name in WaveForm.base_fields if name != "units"}
        initial["units"] = list(wave.units.all())
        initial["reminder_days"] = ", ".join(str(day) for day in wave.reminder_days)
        return initial


class ThresholdForm(forms.Form):
    scores = forms.IntegerField(
        label=_("Minimum respondents for scores"), min_value=0, max_value=THRESHOLD_MAX
    )
    verbatims = forms.IntegerField(
        label=_("Minimum respondents for verbatims"), min_value=0, max_value=THRESHOLD_MAX
    )


class WaveFilterForm(forms.Form):
    """The filters of the wave list."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *WaveStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Cold and hot")), *WaveKind.choices], required=False
    )


class PulseForm(WaveForm):
    """A pulse: a wave's audience and settings, and its cadence instead of dates."""

    kind = None
    opens_at = None
    closes_at = None
    hot_delay_minutes = None
    hot_valid_days = None
    hot_moments = None
    every_weeks = forms.IntegerField(
        label=_("Every (weeks)"), min_value=1, max_value=MAX_EVERY_WEEKS, initial=4
    )
    open_days = forms.IntegerField(
        label=_("Each wave open for (days)"),
        min_value=1,
        max_value=MAX_OPEN_DAYS,
        initial=10,
        help_text=_("At most the cadence: a wave closes before the next one opens."),
    )
    starts_on = forms.DateField(
        label=_("First wave on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    opens_at_time = forms.TimeField(
        label=_("Opening time"),
        initial="09:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Local time: the waves open at this hour in winter and in summer."),
    )
    ends_on = forms.DateField(
        label=_("No wave after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: until the pulse is stopped."),
    )

    field_order = [
        "name",
        "instrument",
        "lens",
        "units",
        "contract_types",
        "roles",
        "every_weeks",
        "open_days",
        "starts_on",
        "opens_at_time",
        "ends_on",
        "channels",
        "open_links",
        "reminder_days",
    ]

    @staticmethod
    def initial_from(pulse: Pulse) -> dict[str, Any]:  # type: ignore[override]
        initial = {name: getattr(pulse, name) for name in PulseForm.base_fields if name != "units"}
        initial["units"] = list(pulse.units.all())
        initial["reminder_days"] = ", ".join(str(day) for day in pulse.reminder_days)
        return initial


class MessageForm(forms.Form):
    """The invitation message, one text per language; the default text shows at first."""

    def __init__(self, *args: Any, source: Wave | Pulse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        for language, name in message_languages():
            default = default_email_text(
                title=source.instrument.title(language), language=language, reminder=False
            )
            self.fields[f"message_{language}"] = forms.CharField(
                label=name,
                required=False,
                max_length=MESSAGE_MAX,
                initial=custom_text(source, language) or default,
                widget=forms.Textarea(attrs={"rows": 4, "lang": language}),
            )
            self.fields[f"message_{language}"].default_text = default

    def messages(self) -> dict[str, str]:
        """Return the texts to store: one left as the default text is stored as none."""
        texts = {}
        for language, _name in message_languages():
            field = self.fields[f"message_{language}"]
            text = (self.cleaned_data.get(f"message_{language}") or "").strip()
            texts[language] = "" if text == field.default_text.strip() else text
        return texts
