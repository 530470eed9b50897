"""The table of management's attributed estimates, on the unit page, its PDF and publications.

Built only from ``results.selectors.estimates.unit_estimates``: a manager's estimate for
their own unit, under their name (``MIROIR_ESTIMATE_ATTRIBUTED``), never a sum.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from miroir.reports.tables import Column, Table
from miroir.results.selectors.estimates import Estimate


def estimate_table(estimates: Sequence[Estimate]) -> Table:
    """Return the table of the estimates, one row per answer, each naming who gave it."""
    columns = [
        Column("author", _("Given by")),
        Column("question", _("Question")),
        Column("answer", _("Answer")),
        Column("score", _("Score (0-100)"), "number"),
        Column("wave", _("Wave")),
    ]
    rows = [
        [
            gettext("%(name)s, %(label)s") % {"name": estimate.author, "label": estimate.label},
            answer.question,
            answer.answer,
            answer.score,
            estimate.wave,
        ]
        for estimate in estimates
        for answer in estimate.answers
    ]
    return Table(
        "estimate",
        _("Management's estimate, attributed"),
        columns,
        rows,
        caption=_(
            "A manager's estimate for their own unit is a professional judgement, shown under "
            "their name; it is not an anonymous opinion and is never summed with other answers."
        ),
        empty=_("No attributed estimate for this unit in this period."),
    )
