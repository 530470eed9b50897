"""The few plain sentences that open each result page, written from gated figures only.

A store manager reads three sentences before any table: where customers and staff differ
most, what management's estimate or the barometer says, and the index (or, across units,
the unit that stands out and how many do). Every number in them is a figure the gate
shows on the same page (a hidden figure is never the input of a sentence); where the
gate hides the figure a sentence needs, the sentence says so plainly instead. Counts of
units (not of people) are written with proper plurals; every sentence is translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext, pgettext

from miroir.org.models import Lens
from miroir.results.figures import Figure, Linkage, MirrorSymmetry, PerceptionGap
from miroir.results.reasons import reason_text

# Below this many points, two scores read as level: a difference of rounding.
LEVEL_POINTS = 1.0


def _language() -> str:
    return get_language() or "fr"


def score_text(value: float) -> str:
    """Return a 0-100 score as the page writes it: a whole number in the reader's language."""
    return number_format(value, 0, use_l10n=True)


def _score(figure: Figure | None) -> float | None:
    if figure is None or figure.suppressed:
        return None
    statistic = figure.statistic("score")
    return None if statistic is None else statistic.value


def _top_box(figure: Figure | None) -> float | None:
    if figure is None or figure.suppressed:
        return None
    statistic = figure.statistic("top_box")
    return None if statistic is None or statistic.value is None else statistic.value * 100


# -- experience symmetry: customers and staff on the same questions -------------------------


def _widest(rows: Sequence[MirrorSymmetry], lens: str) -> MirrorSymmetry | None:
    """Return the mirror where customers and ``lens`` differ most, among shown figures."""
    shown = [
        row
        for row in rows
        if _score(row.figures.get(Lens.CUSTOMER)) is not None
        and _score(row.figures.get(lens)) is not None
    ]
    if not shown:
        return None
    return max(
        shown,
        key=lambda row: abs(
            (_score(row.figures.get(Lens.CUSTOMER)) or 0) - (_score(row.figures.get(lens)) or 0)
        ),
    )


def experience_sentence(
    rows: Sequence[MirrorSymmetry], *, team: bool = False, lens: str = Lens.EMPLOYEE
) -> str:
    """Return where customers and staff differ most, or why it cannot be said.

    ``team``: the sentence is read by the staff themselves ("we"), not their manager;
    ``lens`` is the staff's side (employees, or partners reading their own publication).
    """
    asked = [row for row in rows if Lens.CUSTOMER in row.figures and lens in row.figures]
    if not asked:
        return gettext("No mirror question was asked of both customers and staff in this period.")
    row = _widest(asked, lens)
    if row is None:
        return gettext(
            "Customers' and staff's scores cannot both be shown here: the figures are hidden "
            "to protect anonymity (too few answers, or a group one could work out by "
            "subtraction)."
        )
    customer = _score(row.figures.get(Lens.CUSTOMER)) or 0.0
    employee = _score(row.figures.get(lens)) or 0.0
    values = {
        "mirror": row.mirror.label(_language()),
        "customer": score_text(customer),
        "employee": score_text(employee),
    }
    gap = row.gaps.get(lens)
    uncertain = gap is None or not gap.significant
    if abs(customer - employee) < LEVEL_POINTS:
        text = (
            gettext("Our customers and we are level on “%(mirror)s”: %(customer)s out of 100.")
            if team
            else gettext(
                "Your customers and your staff are level on “%(mirror)s”: %(customer)s out of 100."
            )
        )
    elif customer > employee:
        text = (
            gettext(
                "Our customers are more satisfied than we are on “%(mirror)s”: "
                "%(customer)s against %(employee)s out of 100."
            )
            if team
            else gettext(
                "Your customers are more satisfied than your staff on “%(mirror)s”: "
                "%(customer)s against %(employee)s out of 100."
            )
        )
    else:
        text = (
            gettext(
                "We are more satisfied than our customers on “%(mirror)s”: "
                "%(employee)s against %(customer)s out of 100."
            )
            if team
            else gettext(
                "Your staff are more satisfied than your customers on “%(mirror)s”: "
                "%(employee)s against %(customer)s out of 100."
            )
        )
    text = text % values
    if uncertain and abs(customer - employee) >= LEVEL_POINTS:
        text += " " + gettext("With so few answers, this gap may be chance.")
    return text


# -- perception gap and barometer -------------------------------------------------------------


def perception_sentence(rows: Sequence[PerceptionGap]) -> str | None:
    """Return management's estimate against what staff say, where they differ most.

    None when no mirror has both figures shown (the barometer's sentence is used then).
    """
    shown = [
        row for row in rows if _score(row.management) is not None and _score(row.actual) is not None
    ]
    if not shown:
        return None
    row = max(shown, key=lambda row: abs((_score(row.management) or 0) - (_score(row.actual) or 0)))
    return gettext(
        "On “%(mirror)s”, management estimated %(estimate)s out of 100; staff say %(actual)s."
    ) % {
        "mirror": row.mirror.label(_language()),
        "estimate": score_text(_score(row.management) or 0.0),
        "actual": score_text(_score(row.actual) or 0.0),
    }


def barometer_sentence(suggestions: Figure | None, *, team: bool = False) -> str | None:
    """Return the share of staff who fully agree their suggestions are heard (None: not asked)."""
    if suggestions is None:
        return None
    share = _top_box(suggestions)
    if share is None:
        return gettext(
            "How many staff feel their suggestions are heard is hidden here to protect anonymity."
        )
    values = {"share": score_text(share)}
    if team:
        return (
            gettext(
                "%(share)s %% of us fully agree that our suggestions are listened to and applied."
            )
            % values
        )
    return (
        gettext(
            "%(share)s %% of your staff fully agree that their suggestions are listened to "
            "and applied."
        )
        % values
    )


def index_sentence(value: float | None, unit_name: str) -> str:
    """Return the symmetry index of a unit in words, or why it is missing."""
    if value is None:
        return gettext(
            "The symmetry index of %(unit)s cannot be computed: its parts are hidden or missing."
        ) % {"unit": unit_name}
    return gettext(
        "The symmetry index of %(unit)s is %(index)s out of 100 (100: customers and staff "
        "are listened to and fare alike)."
    ) % {"unit": unit_name, "index": score_text(value)}


# -- across units -----------------------------------------------------------------------------


def largest_gap_sentence(linkage: Linkage | None, names: dict[int, str]) -> str:
    """Return the unit where customers and staff differ most, among units shown."""
    if linkage is None or not linkage.points:
        return gettext("Too few units have figures shown to compare them here.")
    unit_id, (employee, customer, _n) = max(
        linkage.points.items(), key=lambda item: abs(item[1][1] - item[1][0])
    )
    values = {
        "unit": names.get(unit_id, ""),
        "customer": score_text(customer),
        "employee": score_text(employee),
    }
    if customer >= employee:
        return (
            gettext(
                "Customers and staff differ most at %(unit)s: customers give %(customer)s "
                "out of 100, staff %(employee)s."
            )
            % values
        )
    return (
        gettext(
            "Customers and staff differ most at %(unit)s: staff give %(employee)s "
            "out of 100, customers %(customer)s."
        )
        % values
    )


def flagged_sentence(linkage: Linkage | None) -> str | None:
    """Return how many units have a gap too large to be chance, out of those compared."""
    if linkage is None or linkage.correction is None or not linkage.points:
        return None
    total = len(linkage.points)
    flagged = sum(flag.flagged for flag in linkage.flags)
    if flagged == 0:
        return ngettext(
            "Across the %(total)d unit compared, no gap is clear enough to rule out chance.",
            "Across the %(total)d units compared, no gap is clear enough to rule out chance.",
            total,
        ) % {"total": total}
    return ngettext(
        "%(flagged)d unit has a gap between customers and staff too large to be chance "
        "(out of %(total)d compared).",
        "%(flagged)d units have a gap between customers and staff too large to be chance "
        "(out of %(total)d compared).",
        flagged,
    ) % {"flagged": flagged, "total": total}


def _strength(r: float) -> str:
    size = abs(r)
    if size < 0.3:
        return pgettext("strength of a link", "weak")
    if size < 0.5:
        return pgettext("strength of a link", "moderate")
    return pgettext("strength of a link", "strong")


def correlation_sentence(linkage: Linkage | None, problem: str) -> str:
    """Return whether units with happier staff also have happier customers, in words."""
    correlation = linkage.pearson if linkage is not None else None
    if linkage is None or correlation is None:
        reason = problem or (linkage.problems.get("pearson", "") if linkage else "")
        return gettext("No link can be measured here: %(reason)s.") % {
            "reason": reason_text(reason)
        }
    values = {
        "units": correlation.units,
        "r": number_format(correlation.r, 2, use_l10n=True),
        "strength": _strength(correlation.r),
    }
    if not correlation.significant:
        return (
            ngettext(
                "Across %(units)d unit, no clear link shows between staff's and customers' "
                "satisfaction (r = %(r)s).",
                "Across %(units)d units, no clear link shows between staff's and customers' "
                "satisfaction (r = %(r)s).",
                correlation.units,
            )
            % values
        )
    if correlation.r > 0:
        return (
            ngettext(
                "Across %(units)d unit, where staff are more satisfied, customers are too: "
                "a %(strength)s link (r = %(r)s).",
                "Across %(units)d units, where staff are more satisfied, customers are too: "
                "a %(strength)s link (r = %(r)s).",
                correlation.units,
            )
            % values
        )
    return (
        ngettext(
            "Across %(units)d unit, where staff are more satisfied, customers are less so: "
            "a %(strength)s link (r = %(r)s).",
            "Across %(units)d units, where staff are more satisfied, customers are less so: "
            "a %(strength)s link (r = %(r)s).",
            correlation.units,
        )
        % values
    )


def driver_sentence(linkage: Linkage | None, label: Any) -> str | None:
    """Return the staff dimension that goes most with customers' satisfaction."""
    drivers = linkage.drivers if linkage is not None else None
    if drivers is None or not drivers.weights:
        return None
    top = drivers.weights[0]
    return gettext(
        "What goes most with customers' satisfaction: staff's “%(dimension)s” "
        "(%(share)s %% of what the staff's dimensions explain)."
    ) % {"dimension": label(top.name), "share": score_text(top.rescaled)}


def above_sentence(linkage: Linkage | None) -> str | None:
    """Return how many units have customers more satisfied than their staff."""
    if linkage is None or not linkage.points:
        return None
    total = len(linkage.points)
    above = sum(customer > employee for employee, customer, _n in linkage.points.values())
    return ngettext(
        "%(above)d unit out of %(total)d shown has customers more satisfied than its staff "
        "(the dots above the diagonal).",
        "%(above)d units out of %(total)d shown have customers more satisfied than their "
        "staff (the dots above the diagonal).",
        above,
    ) % {"above": above, "total": total}


def best_question_sentence(figures: Sequence[Figure]) -> str | None:
    """Return the best-rated question among those shown (None when none is)."""
    shown = [figure for figure in figures if _score(figure) is not None]
    if not shown:
        return None
    best = max(shown, key=lambda figure: _score(figure) or 0.0)
    return gettext("Our best-rated question: “%(question)s”, %(score)s out of 100.") % {
        "question": best.subject.label(_language()),
        "score": score_text(_score(best) or 0.0),
    }
