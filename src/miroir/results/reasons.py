"""Why a figure cannot be computed, said to a reader in their language.

The statistics raise errors whose message is written for developers and logs, in English
(``miroir.analytics``). A page, an export or the API never shows that text: it shows the
sentence of the error's ``reason`` code (``miroir.analytics.TOO_FEW_UNITS``…), which says
what is missing. An unknown code, or an error that carries none, gets the general sentence.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from miroir.analytics import (
    COLLINEAR,
    INVALID,
    NO_VARIATION,
    TOO_FEW_PERIODS,
    TOO_FEW_RESPONDENTS,
    TOO_FEW_UNITS,
)
from miroir.analytics.linkage import MIN_UNITS

_SENTENCES = {
    TOO_FEW_UNITS: gettext_lazy(
        "at least %(min)d units of this level with answers from both employees and customers "
        "are needed"
    ),
    TOO_FEW_RESPONDENTS: gettext_lazy("at least one unit needs two respondents or more"),
    TOO_FEW_PERIODS: gettext_lazy(
        "answers from the same units over two consecutive periods are needed"
    ),
    NO_VARIATION: gettext_lazy("the scores are the same in every unit: nothing to compare"),
    COLLINEAR: gettext_lazy("the dimensions move together too closely to be told apart"),
    INVALID: gettext_lazy("the answers here do not allow it"),
}


def reason_code(error: BaseException) -> str:
    """Return the reason code an error carries, or the general one."""
    reason = getattr(error, "reason", INVALID)
    return reason if reason in _SENTENCES else INVALID


def reason_text(reason: str) -> str:
    """Return, in the active language, what a reason code says is missing."""
    return str(_SENTENCES.get(reason, _SENTENCES[INVALID])) % {"min": MIN_UNITS}
