"""Verbatims: the free-text answers of a unit's subtree, always through ``gate.verbatims``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from miroir.collect.models import Answer
from miroir.instruments.models import Item
from miroir.org.models import Member, Unit
from miroir.results import gate
from miroir.results.engine.context import context
from miroir.results.periods import Period
from miroir.results.selectors.units import check_lens_subject

# A subtree this small is queried by its units' ids rather than by path.
FEW_UNITS_LISTED = 200


def group_answers(
    ctx: Any, release: Any, *, unit: Unit, lens: str, period: Period
) -> tuple[bool, QuerySet[Answer]]:
    """Return whether ``unit``'s group passed the verbatim gate, and its free-text answers.

    The answers are those of the unit's subtree, lens and period that the release holds
    (for the organisation's lenses, up to the unit's own release day); none when hidden.
    """
    visible = unit.pk in release.verbatim_groups(ctx.tree.parents)
    answers = Answer.objects.filter(
        text__isnull=False,
        response__lens=lens,
        # Attributed estimates are read as themselves (``selectors.estimates``).
        response__author__isnull=True,
        response__submitted_on__gte=period.start,
        response__submitted_on__lt=period.end,
    )
    if not visible:
        return False, answers.none()
    subtree = ctx.tree.descendants(unit, None)
    if len(subtree) <= FEW_UNITS_LISTED:
        # The units by id: the planner then reads their responses by the unit index
        # rather than every response of the period.
        answers = answers.filter(response__unit_id__in=[ref.id for ref in subtree])
    else:
        answers = answers.filter(response__unit__path__startswith=unit.path)
    if gate.protects_identity(lens):
        # Up to the unit's own release day for verbatims (``gate.release_days``).
        through = release.verbatim_through.get(unit.pk)
        if through is None:
            return True, answers.none()
        answers = answers.filter(response__submitted_on__lte=through)
    elif release.as_of is not None:
        answers = answers.filter(response__submitted_on__lte=release.as_of)
    return True, answers


def unit_verbatims(
    *,
    unit: Unit,
    lens: str,
    period: Period,
    item: Item | None = None,
    today: date | None = None,
    limit: int | None = None,
) -> gate.VerbatimRelease:
    """Return the free-text answers of ``unit``'s subtree, when its group is large enough.

    The group is the unit's respondents of the lens in the period; the gate applies the
    verbatim threshold with complementary suppression over the tree, then shuffles,
    dates by wave and redacts.
    """
    check_lens_subject(lens, "item")
    ctx = context(today)
    release = ctx.release(lens, period)
    visible, answers = group_answers(ctx, release, unit=unit, lens=lens, period=period)
    rows: list[tuple[str, str, str, str]] = []
    if visible:
        if item is not None:
            answers = answers.filter(item=item)
        rows = [
            (str(pk), text or "", wave, period.label)
            for pk, text, wave in answers.values_list("pk", "text", "response__wave__name")
        ]
    names: list[str] = []
    if rows:
        names = [
            f"{first} {last}"
            for first, last in Member.objects.values_list("first_name", "last_name")
        ]
    return gate.verbatims(
        rows,
        visible=visible,
        threshold=release.verbatim_threshold,
        names=names,
        language=translation.get_language() or "fr",
        limit=limit,
    )


# -- publication to employees and partners --------------------------------------------------
#
