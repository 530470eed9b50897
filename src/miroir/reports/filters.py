"""The filters of the result pages: period, lens, contract type, moment, unit subtree.

They arrive as GET parameters; ``filters_from_request`` validates them all at once and
returns either the ``Filters`` to compute with or the list of what is wrong, in words
for the person who typed the address. Nothing is computed from an invalid filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Unit
from miroir.org.selectors import Scope, scope_roots
from miroir.results.periods import Period, PeriodError, period_of, period_parse
from miroir.results.selectors import access_results, results_can_view, results_periods

# Trends show this many periods, ending with the chosen one.
TREND_PERIODS = 4
LINKAGE_LEVELS = ("shop", "region", "team", "branch", "area", "department")


@dataclass(frozen=True)
class Filters:
    """Validated filters: the unit (in scope), the period, the lens and an optional segment."""

    unit: Unit
    period: Period | None
    lens: str
    segment: tuple[str, str] | None = None
    periods: tuple[Period, ...] = ()
    level: str = "shop"
    query: dict[str, str] = field(default_factory=dict)

    @property
    def trend_periods(self) -> list[Period]:
        """Return up to ``TREND_PERIODS`` periods with results, ending with the chosen one."""
        if self.period is None:
            return []
        earlier = [period for period in self.periods if period <= self.period]
        return earlier[-TREND_PERIODS:]


class FilterForm(forms.Form):
    unit = forms.IntegerField(label=_("Unit"), required=False, min_value=1)
    period = forms.CharField(label=_("Period"), required=False, max_length=16)
    lens = forms.ChoiceField(label=_("Lens"), required=False, choices=Lens.choices)
    contract_type = forms.ChoiceField(
        label=_("Contract type"),
        required=False,
        choices=[("", _("All contracts")), *ContractType.choices],
    )
    moment = forms.ChoiceField(label=_("Moment"), required=False, choices=())
    level = forms.ChoiceField(label=_("Units compared"), required=False, choices=())

    def __init__(self, *args: Any, periods: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language()
        self.fields["moment"].choices = [("", _("All moments"))] + [
            (moment.code, moment.name(language)) for moment in Moment.objects.order_by("order")
        ]
        self.fields["level"].choices = [
            (level, label) for level, label in _level_choices() if level in LINKAGE_LEVELS
        ]
        self.periods = periods
        self.period_choices = [period.label for period in periods]

    def clean_period(self) -> Period | None:
        label = self.cleaned_data.get("period") or ""
        if not label:
            return self.periods[-1] if self.periods else None
        try:
            period = period_parse(label)
        except PeriodError:
            # The error's text is English and for logs: name the expected form instead.
            example = period_of(timezone.localdate()).label
            raise forms.ValidationError(
                _(
                    "“%(label)s” is not a period results are released for: "
                    "write it like %(example)s."
                )
                % {"label": label, "example": example}
            ) from None
        return period

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lens = data.get("lens") or Lens.EMPLOYEE
        data["lens"] = lens
        if data.get("contract_type") and lens != Lens.EMPLOYEE:
            self.add_error(
                "contract_type",
                _("The contract type only filters the employee lens; choose that lens first."),
            )
        if data.get("moment") and lens != Lens.CUSTOMER:
            self.add_error(
                "moment",
                _("The journey moment only filters the customer lens; choose that lens first."),
            )
        return data


def _level_choices() -> list[tuple[str, str]]:
    from miroir.org.models import UnitKind

    return list(UnitKind.choices)


@dataclass(frozen=True)
class FilterResult:
    """The bound form (for redisplay) and the filters, or None with the form's errors."""

    form: FilterForm
    filters: Filters | None

    @property
    def errors(self) -> list[str]:
        return [
            f"{self.form.fields[name].label if name in self.form.fields else ''}: {message}"
            if name != "__all__"
            else str(message)
            for name, messages in self.form.errors.items()
            for message in messages
        ]


def filters_from_request(scope: Scope, params: Any, *, unit_id: Any = None) -> FilterResult:
    """Return the filters of a page from its GET parameters, checked against the scope.

    ``unit_id`` (from the URL) wins over the ``unit`` parameter; without either, the
    first unit at the top of the scope is used. A unit out of scope is a 404 (from
    ``access_results``), never an error message that would confirm it exists.
    """
    if not results_can_view(scope):
        raise PermissionDenied("Results are for managers and the direction")
    lens = params.get("lens") or Lens.EMPLOYEE
    periods = results_periods(lens=lens if lens in Lens.values else None)
    form = FilterForm(params, periods=periods)
    if not form.is_valid():
        return FilterResult(form, None)
    data = form.cleaned_data
    chosen = unit_id if unit_id is not None else data.get("unit")
    if chosen is None:
        root = scope_roots(scope).first()
        if root is None:
            raise Http404("No unit in scope")
        chosen = root.pk
    unit = access_results(scope, chosen)
    segment = None
    if data.get("contract_type"):
        segment = ("contract_type", data["contract_type"])
    elif data.get("moment"):
        segment = ("moment", data["moment"])
    query = {
        key: str(params.get(key))
        for key in ("period", "lens", "contract_type", "moment", "level")
        if params.get(key)
    }
    filters = Filters(
        unit=unit,
        period=data["period"],
        lens=data["lens"],
        segment=segment,
        periods=tuple(periods),
        level=data.get("level") or "shop",
        query=query,
    )
    return FilterResult(form, filters)
