"""Forms of the questionnaire editor, and the answer checks the respondent pages share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from miroir.instruments.dimensions import DIMENSIONS
from miroir.instruments.logic import Route, answer_key
from miroir.instruments.models import Instrument, InstrumentKind, Item, Mirror
from miroir.instruments.scales import (
    FREE_TEXT_MAX_LENGTH,
    SCALES,
    ScaleValueError,
    is_blank,
    pick,
)
from miroir.journeys.selectors import moments_active
from miroir.org.models import Lens

MAX_UPLOAD_BYTES = 1_000_000


def _dimension_choices(*, blank: bool) -> list[tuple[str, str]]:
    language = translation.get_language()
    choices = [(code, dimension.label(language)) for code, dimension in DIMENSIONS.items()]
    return [("", "—"), *choices] if blank else choices


def form_add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's validation errors next to the matching fields, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class InstrumentForm(forms.Form):
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_fr = forms.CharField(
        label=_("Description (French)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=InstrumentKind.choices, initial=InstrumentKind.CUSTOM
    )

    @staticmethod
    def initial_from(instrument: Instrument) -> dict[str, Any]:
        return {name: getattr(instrument, name) for name in InstrumentForm.base_fields}


class MirrorForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("A short identifier, unique in this questionnaire (letters, digits, -)."),
    )
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    dimension = forms.ChoiceField(label=_("Dimension"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = _dimension_choices(blank=True)


class ItemForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("A short identifier, unique in this questionnaire (letters, digits, -)."),
    )
    lens = forms.ChoiceField(label=_("Lens"), choices=Lens.choices)
    scale = forms.ChoiceField(label=_("Scale"))
    text_fr = forms.CharField(
        label=_("Question (French)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    text_en = forms.CharField(
        label=_("Question (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    dimension = forms.ChoiceField(label=_("Dimension"))
    mirror = forms.ModelChoiceField(
        label=_("Mirror"),
        queryset=Mirror.objects.none(),
        required=False,
        help_text=_("The same question asked through other lenses, to be read side by side."),
    )
    moment = forms.ModelChoiceField(
        label=_("Journey moment"), queryset=moments_active(), required=False
    )
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Single choice only: one option per line, written as code | French label | "
            "English label."
        ),
    )
    max_length = forms.IntegerField(
        label=_("Maximum length"),
        min_value=1,
        max_value=FREE_TEXT_MAX_LENGTH,
        required=False,
        help_text=_("Free text only; 1,000 characters when left empty."),
    )
    allow_dont_know = forms.BooleanField(label=_("Offer “don't know”"), required=False)
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)
    show_when = forms.CharField(
        label=_("Asked only when"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "One condition per line, all of which must hold: the code of an earlier question "
            "of the same lens, a colon, then the answers that bring this one, e.g. enps: 0, 1, "
            "2. Empty: always asked."
        ),
    )
    end_when = forms.CharField(
        label=_("Ends the survey when the answer is"),
        max_length=500,
        required=False,
        help_text=_(
            "Answers of this question after which nothing more is asked, separated by commas "
            "(for yes / no: 1 or 0). Empty: the survey goes on."
        ),
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = translation.get_language()
        self.fields["scale"].choices = [
            (code, pick(kind.name, language)) for code, kind in SCALES.items()
        ]
        self.fields["dimension"].choices = _dimension_choices(blank=False)
        self.fields["mirror"].queryset = instrument.mirrors.order_by("order", "id")
        self.fields["moment"].label_from_instance = lambda moment: moment.name(language)

    def clean_options(self) -> list[dict[str, str]]:
        options = []
        for number, line in enumerate(self.cleaned_data["options"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
                raise ValidationError(
                    _("Line %(number)d: write code | French label | English label."),
                    params={"number": number},
                )
            options.append(
                {"code": parts[0], "fr": parts[1], "en": parts[2] if len(parts) == 3 else ""}
            )
        return options

    def clean_show_when(self) -> list[dict[str, Any]]:
        conditions = []
        for number, line in enumerate(self.cleaned_data["show_when"].splitlines(), start=1):
            if not line.strip():
                continue
            code, colon, answers = line.partition(":")
            values = _comma_list(answers)
            if not colon or not code.strip() or not values:
                raise ValidationError(
                    _("Line %(number)d: write the code of a question, a colon, then its answers."),
                    params={"number": number},
                )
            conditions.append({"item": code.strip(), "in": values})
        return conditions

    def clean_end_when(self) -> list[str]:
        return _comma_list(self.cleaned_data["end_when"])

    def service_kwargs(self) -> dict[str, Any]:
        """Return the cleaned data as the keyword arguments of ``item_create``/``item_update``."""
        return {name: self.cleaned_data[name] for name in self.fields}

    @staticmethod
    def initial_from(item: Item) -> dict[str, Any]:
        initial = {name: getattr(item, name) for name in ItemForm.base_fields}
        initial["options"] = "\n".join(
            f"{option['code']} | {option['fr']} | {option.get('en', '')}" for option in item.options
        )
        initial["show_when"] = "\n".join(
            f"{condition['item']}: {', '.join(condition['in'])}" for condition in item.show_when
        )
        initial["end_when"] = ", ".join(item.end_when)
        return initial


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalog file (JSON)"),
        help_text=_("The format of the bundled catalogs and of the exports."),
    )
    replace = forms.BooleanField(
        label=_("Replace the questionnaire with the same identifier"),
        required=False,
        help_text=_("A questionnaire already used by a wave is kept; a new version is created."),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large (1 MB at most)."))
        return upload.read()


def item_field_name(item: Item) -> str:
    """Return the form field name of an item's answer on respondent pages."""
    return f"q-{item.code}"


def answer_error_message(error: ScaleValueError, language: str) -> str:
    """Return the message a respondent sees for a refused answer, in their language."""
    with translation.override(language):
        if error.reason == "blank":
            return gettext("Please answer this question.")
        if error.reason == "too_long":
            return gettext("Please shorten your answer: %(max)d characters at most.") % {
                "max": error.limit or FREE_TEXT_MAX_LENGTH
            }
        return gettext("Please choose one of the answers offered.")


def answers_validate(
    items: Iterable[Item], data: Mapping[str, Any], *, language: str
) -> tuple[dict[int, Any], dict[int, str]]:
    """Return the accepted answers and the error messages, both by item id.

    A blank answer to an optional item is simply absent from both; so is every item that
    the survey logic does not ask after the answers before it (``instruments.logic``).
    """
    answers: dict[int, Any] = {}
    errors: dict[int, str] = {}
    route = Route()
    for item in items:
        raw = data.get(item_field_name(item))
        if not route.asks(item) or (is_blank(raw) and not item.required):
            continue
        try:
            answers[item.pk] = item.get_scale().validate(raw)
        except ScaleValueError as error:
            errors[item.pk] = answer_error_message(error, language)
        else:
            route.answered(item, answer_key(answers[item.pk]))
    return answers, errors


def answer_rows(
    items: Iterable[Item], data: Mapping[str, Any], errors: Mapping[int, str]
) -> list[dict[str, Any]]:
    """Return, per item, what ``instruments/_item_field.html`` needs to render it."""
    return [
        {
            "item": item,
            "field_name": item_field_name(item),
            "value": data.get(item_field_name(item)),
            "error": errors.get(item.pk, ""),
        }
        for item in items
    ]
