"""Management's attributed estimates: a manager's professional judgement on their own unit.

When ``MIROIR_ESTIMATE_ATTRIBUTED`` is on, the estimate a manager gives for a unit they
manage keeps them as its author (``collect.selectors.estimate_author``) and stays out of
the anonymous roll-ups. It is shown here, as itself, at that unit only and labelled with
its author: "the manager's estimate" at a shop, "the regional estimate" at a region, "the
direction's estimate" at the company. It is never summed with other answers, so no
anonymous figure can be told from it; the management figures of the anonymous pool (the
setting off, or answers without an author) keep the gate's threshold everywhere.

With the setting off nothing is shown here: estimates stored while it was on stay out of
every figure too, since they were neither given anonymously nor may now be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import translation

from miroir.collect.models import Answer
from miroir.collect.selectors import estimate_label
from miroir.instruments.scales import PointScale
from miroir.org.models import Lens, Member, Unit
from miroir.results import gate
from miroir.results.engine import stats
from miroir.results.periods import Period


@dataclass(frozen=True)
class EstimateAnswer:
    """One answer of an estimate: the question, the answer in words, its 0-100 score."""

    item_code: str
    question: str
    answer: str
    dont_know: bool
    score: float | None  # point scales only, 0 the worst end, 100 the best


@dataclass(frozen=True)
class Estimate:
    """A manager's estimate for their own unit, with who gave it and what it is called."""

    unit_id: int
    unit_name: str
    author: str
    label: str  # "the manager's estimate", "the regional estimate", …
    wave: str
    submitted_on: date
    answers: tuple[EstimateAnswer, ...]


def estimates_attributed() -> bool:
    """Return whether management's estimates are shown as attributed judgements."""
    return bool(settings.MIROIR_ESTIMATE_ATTRIBUTED)


def _words(answer: Answer, language: str) -> str:
    if answer.dont_know:
        with translation.override(language):
            return str(translation.gettext("Don't know"))
    item = answer.item
    if answer.text is not None:
        return answer.text
    value = answer.number if answer.number is not None else answer.choice
    if answer.number is not None and float(answer.number).is_integer():
        value = int(answer.number)
    try:
        return item.get_scale().label(value, language)
    except (ValueError, KeyError):
        return str(value)


def _redacted(texts: list[str], language: str) -> list[str]:
    """Return the texts with people's names removed, or a notice for each if that fails."""
    if not texts:
        return []
    names = [
        f"{first} {last}" for first, last in Member.objects.values_list("first_name", "last_name")
    ]
    try:
        return gate.redact_all(texts, names=names, language=language)
    except Exception:  # fail closed: a text is never shown with its names in it
        with translation.override(language):
            notice = str(translation.gettext("(text withheld: names could not be removed)"))
        return [notice] * len(texts)


def _score(answer: Answer) -> float | None:
    if answer.number is None or answer.dont_know:
        return None
    if not isinstance(answer.item.get_scale(), PointScale):
        return None
    return round(float(stats.on_100(answer.item.scale).value(answer.number)), 1)


def _label(unit: Unit, language: str) -> str:
    with translation.override(language):
        return estimate_label(unit)


def unit_estimates(*, unit: Unit, period: Period, language: str | None = None) -> list[Estimate]:
    """Return the attributed estimates given for ``unit`` itself in ``period``, newest first.

    Only estimates whose author managed ``unit`` when they answered; never those of the
    units below (a region shows its own, regional estimate). Free texts pass through
    the gate's redaction, like every text shown. Empty when the setting is off.
    """
    if not estimates_attributed():
        return []
    language = language or translation.get_language() or "fr"
    answers = (
        Answer.objects.filter(
            response__lens=Lens.MANAGEMENT,
            response__author__isnull=False,
            response__unit=unit,
            response__submitted_on__gte=period.start,
            response__submitted_on__lt=period.end,
        )
        .select_related("item", "response__wave", "response__author")
        .order_by("-response__submitted_on", "response_id", "item__order", "item__code")
    )
    grouped: dict[object, list[Answer]] = {}
    for answer in answers:
        grouped.setdefault(answer.response_id, []).append(answer)
    found = []
    for rows in grouped.values():
        response = rows[0].response
        author = response.author
        if author is None:  # filtered out above; kept for the type checker
            continue
        redacted = iter(_redacted([row.text for row in rows if row.text is not None], language))
        found.append(
            Estimate(
                unit_id=unit.pk,
                unit_name=unit.name,
                author=author.full_name,
                label=_label(unit, language),
                wave=response.wave.name,
                submitted_on=response.submitted_on,
                answers=tuple(
                    EstimateAnswer(
                        item_code=row.item.code,
                        question=row.item.text(language),
                        answer=next(redacted) if row.text is not None else _words(row, language),
                        dont_know=row.dont_know,
                        score=_score(row),
                    )
                    for row in rows
                ),
            )
        )
    return found
