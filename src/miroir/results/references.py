"""Published national reference figures, drawn as reference lines next to a unit's own.

Only figures a source states are here, with that source; nothing is estimated. Each is
tied to the barometer question it answers (the ``barometre-service`` catalog's mirrors,
employee lens) and to the statistic it is (the share who "fully agree": top box).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Lens

# The barometer questions (see BAROMETER_* in results.selectors).
BAROMETER_FAMILY = "barometre-service"
SUGGESTIONS = "suggestions"
COMPLAINTS = "reclamations"

BAROMETRE_CULTURES_SERVICES = _(
    "Baromètre Cultures Services, latest edition cited by the Sens du Client blog "
    "(representative sample of customer-facing staff in France; the source gives no year)"
)


@dataclass(frozen=True)
class ReferenceFigure:
    """A published figure: the share of people who fully agree with a statement."""

    family: str
    mirror: str
    lens: str
    statistic: str
    value: float  # a share, 0 to 1
    source: str | Promise  # translated when shown
    year: int | None


REFERENCES: tuple[ReferenceFigure, ...] = (
    # "Seuls 24 % des collaborateurs sont tout à fait d'accord" that the suggestions of
    # customer-facing teams to improve the service are listened to and applied.
    ReferenceFigure(
        family=BAROMETER_FAMILY,
        mirror=SUGGESTIONS,
        lens=Lens.EMPLOYEE,
        statistic="top_box",
        value=0.24,
        source=BAROMETRE_CULTURES_SERVICES,
        year=None,
    ),
    # 37 % fully agree that "une forte attention est prêtée aux réclamations et avis des
    # clients": 13 points more.
    ReferenceFigure(
        family=BAROMETER_FAMILY,
        mirror=COMPLAINTS,
        lens=Lens.EMPLOYEE,
        statistic="top_box",
        value=0.37,
        source=BAROMETRE_CULTURES_SERVICES,
        year=None,
    ),
)


def reference_for(*, family: str, mirror: str, lens: str, statistic: str) -> ReferenceFigure | None:
    """Return the published reference of a question's statistic, or None."""
    for reference in REFERENCES:
        if (reference.family, reference.mirror, reference.lens, reference.statistic) == (
            family,
            mirror,
            lens,
            statistic,
        ):
            return reference
    return None
