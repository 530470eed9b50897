from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from miroir.instruments.dimensions import DIMENSIONS
from miroir.instruments.logic import logic_json
from miroir.instruments.scales import (
    FREE_TEXT_MAX_LENGTH,
    SCALES,
    Scale,
    SingleChoiceScale,
    pick,
    scale_get,
)
from miroir.org.models import Lens

SCALE_CODES = list(SCALES)
DONT_KNOW_SCALES = [code for code, kind in SCALES.items() if kind.supports_dont_know]


class InstrumentKind(models.TextChoices):
    PULSE = "pulse", _("Pulse")
    BAROMETER = "barometer", _("Barometer")
    PROXIMITY = "proximity", _("Managerial proximity")
    ENGAGEMENT = "engagement", _("Engagement")
    CUSTOM = "custom", _("Custom")


class Instrument(models.Model):
    """A questionnaire. Once a wave has used it, it is locked: changes go to a new version.

    ``family`` is the slug of the first version; every duplicate shares it, so the
    versions of one questionnaire can be listed and numbered.
    """

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    family = models.SlugField(max_length=80, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
    )
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=InstrumentKind.choices, default=InstrumentKind.CUSTOM
    )
    source = models.CharField(_("source catalog"), max_length=80, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title_fr", "version", "id"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_fr=""), name="instruments_instrument_title_fr"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="instruments_instrument_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InstrumentKind.values), name="instruments_instrument_kind"
            ),
            models.UniqueConstraint(
                fields=["family", "version"], name="instruments_instrument_family_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_fr} (v{self.version})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def title(self, language: str | None) -> str:
        """Return the title in ``language``, falling back to French."""
        return pick({"fr": self.title_fr, "en": self.title_en}, language)

    def description(self, language: str | None) -> str:
        """Return the description in ``language``, falling back to French."""
        return pick({"fr": self.description_fr, "en": self.description_en}, language)


def _validate_dimension(value: str) -> None:
    if value and value not in DIMENSIONS:
        raise ValidationError(
            _("Unknown dimension “%(code)s”."), code="dimension", params={"code": value}
        )


def _validate_scale(value: str) -> None:
    if value not in SCALES:
        raise ValidationError(_("Unknown scale “%(code)s”."), code="scale", params={"code": value})


class Mirror(models.Model):
    """Items asking the same thing through different lenses, to be read side by side."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="mirrors")
    code = models.SlugField(_("code"), max_length=64)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    dimension = models.CharField(
        _("dimension"), max_length=32, blank=True, validators=[_validate_dimension]
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("mirror")
        verbose_name_plural = _("mirrors")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "code"],
                name="instruments_mirror_code_unique",
                violation_error_message=_(
                    "This questionnaire already has a mirror with this code."
                ),
            ),
            models.CheckConstraint(condition=~Q(title_fr=""), name="instruments_mirror_title_fr"),
            models.CheckConstraint(
                condition=Q(dimension="") | Q(dimension__in=list(DIMENSIONS)),
                name="instruments_mirror_dimension_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title_fr

    def title(self, language: str | None) -> str:
        """Return the title in ``language``, falling back to French."""
        return pick({"fr": self.title_fr, "en": self.title_en}, language)

    def clean(self) -> None:
        # Said here, on the field, rather than by the constraint's form-wide message.
        if (
            self.instrument_id is not None
            and Mirror.objects.filter(instrument_id=self.instrument_id, code=self.code)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"code": _("This questionnaire already has a mirror with this code.")}
            )


class Item(models.Model):
    """One question, asked through one lens, answered on one scale."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=64)
    lens = models.CharField(_("lens"), max_length=16, choices=Lens.choices)
    scale = models.CharField(_("scale"), max_length=32, validators=[_validate_scale])
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    dimension = models.CharField(_("dimension"), max_length=32, validators=[_validate_dimension])
    moment = models.ForeignKey(
        "journeys.Moment",
        verbose_name=_("journey moment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    mirror = models.ForeignKey(
        Mirror,
        verbose_name=_("mirror"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    options = models.JSONField(_("options"), default=list, blank=True)
    max_length = models.PositiveSmallIntegerField(_("maximum length"), null=True, blank=True)
    allow_dont_know = models.BooleanField(_("offer “don't know”"), default=False)
    required = models.BooleanField(_("answer required"), default=True)
    # Survey logic (miroir.instruments.logic): conditions on earlier answers, all of which
    # must hold for the item to be asked, and this item's answers that end the survey.
    show_when = models.JSONField(_("asked only when"), default=list, blank=True)
    end_when = models.JSONField(_("ends the survey when the answer is"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "code"],
                name="instruments_item_code_unique",
                violation_error_message=_(
                    "This questionnaire already has a question with this code."
                ),
            ),
            # The heart of a mirror: one wording per lens, so lenses compare one to one.
            models.UniqueConstraint(
                fields=["mirror", "lens"],
                condition=Q(mirror__isnull=False),
                name="instruments_item_one_per_lens_in_mirror",
                violation_error_message=_("This mirror already has a question for this lens."),
            ),
            models.CheckConstraint(condition=~Q(text_fr=""), name="instruments_item_text_fr"),
            models.CheckConstraint(
                condition=Q(lens__in=Lens.values), name="instruments_item_lens_known"
            ),
            models.CheckConstraint(
                condition=Q(scale__in=SCALE_CODES), name="instruments_item_scale_known"
            ),
            models.CheckConstraint(
                condition=Q(dimension__in=list(DIMENSIONS)),
                name="instruments_item_dimension_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(scale="free_text", max_length__gte=1, max_length__lte=FREE_TEXT_MAX_LENGTH)
                    | (~Q(scale="free_text") & Q(max_length__isnull=True))
                ),
                name="instruments_item_max_length_for_free_text",
            ),
            models.CheckConstraint(
                condition=Q(allow_dont_know=False) | Q(scale__in=DONT_KNOW_SCALES),
                name="instruments_item_dont_know_scale",
            ),
            models.CheckConstraint(
                condition=Q(scale="single_choice") | Q(options=[]),
                name="instruments_item_options_for_single_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text_fr[:60]}"

    def text(self, language: str | None) -> str:
        """Return the question's wording in ``language``, falling back to French."""
        return pick({"fr": self.text_fr, "en": self.text_en}, language)

    @property
    def logic_json(self) -> str:
        """Return the item's display rules as JSON for the respondent pages' script."""
        return logic_json(self)

    @property
    def has_logic(self) -> bool:
        return bool(self.show_when or self.end_when)

    @property
    def show_when_text(self) -> str:
        """Return the conditions as the editor writes them: ``enps: 0, 1 · manager: 1``."""
        return " · ".join(
            f"{condition['item']}: {', '.join(condition['in'])}" for condition in self.show_when
        )

    def get_scale(self) -> Scale:
        """Return the item's scale, bound to its options, length limit and "don't know"."""
        return scale_get(
            self.scale,
            options=self.options or None,
            max_length=self.max_length,
            allow_dont_know=self.allow_dont_know,
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        siblings = Item.objects.filter(instrument_id=self.instrument_id).exclude(pk=self.pk)
        if self.instrument_id is not None and siblings.filter(code=self.code).exists():
            errors["code"] = _("This questionnaire already has a question with this code.")
        if self.mirror_id is not None and (
            Item.objects.filter(mirror_id=self.mirror_id, lens=self.lens)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["lens"] = _("This mirror already has a question for this lens.")
        if (
            self.mirror_id is not None
            and self.instrument_id is not None
            and self.mirror.instrument_id != self.instrument_id
        ):
            errors["mirror"] = _("The mirror belongs to another questionnaire.")
        if self.scale == SingleChoiceScale.code:
            problems = SingleChoiceScale.check_options(self.options)
            if problems:
                errors["options"] = "; ".join(
                    f"{where} {_(message) % params}".strip() for where, message, params in problems
                )
        elif self.options:
            errors["options"] = _("Only single-choice questions have options.")
        if self.scale == "free_text":
            if self.max_length is None or not 1 <= self.max_length <= FREE_TEXT_MAX_LENGTH:
                errors["max_length"] = _(
                    "A free-text question allows from 1 to %(max)d characters."
                ) % {"max": FREE_TEXT_MAX_LENGTH}
        elif self.max_length is not None:
            errors["max_length"] = _("Only free-text questions have a maximum length.")
        if self.allow_dont_know and self.scale not in DONT_KNOW_SCALES:
            errors["allow_dont_know"] = _("Only agreement questions can offer “don't know”.")
        if errors:
            raise ValidationError(errors)
