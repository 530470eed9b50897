"""One observation per respondent: each unit's count, Σ and Σ² of its respondents' index.

A unit's index pools about a dozen item answers per person, and one person's answers are
strongly correlated: counted as independent observations they make the within-unit variance
look a dozen times more precise than it is, so ICC(2) comes out near 1 and the p-values of the
per-unit gaps far too small. The reliability and the gap tests therefore read one figure per
respondent: the mean of their answers to the index items, each moved to 0-100 as the index
does (docs/analytics.md, "One observation per respondent").

Computed in the database (a mean per response, then sums per unit), over the answers the
release counted: the lens, the period, and for people's lenses each unit's respondents up to
its release day (``gate.release_days``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Avg, Case, F, FloatField, Value, When

from miroir.collect.models import Answer
from miroir.instruments.models import Item
from miroir.results.engine.release import Release
from miroir.results.engine.stats import on_100


@dataclass(frozen=True)
class RespondentSums:
    """A unit's respondents: how many, and the Σ and Σ² of their index (0-100)."""

    n: int
    total: float
    total_squares: float


def _on_100(item: Item) -> When:
    """Return the CASE branch moving ``item``'s answer to 0-100, higher always better."""
    return When(item_id=item.pk, then=on_100(item.scale).value(F("number")))


def respondent_sums(
    *,
    release: Release,
    items: Sequence[Item],
    unit_ids: Sequence[int],
    lineage: Mapping[int, Sequence[int]],
    under_path: str,
) -> dict[int, RespondentSums]:
    """Return, for each of ``unit_ids``, the sums of its subtree's respondents' index.

    ``lineage`` gives each unit's ancestors (itself included), ``under_path`` the path of
    the unit the units are under. A respondent who answered none of ``items`` (or only
    "don't know") is not counted. Units without such a respondent are left out.
    """
    wanted = set(unit_ids)
    if not items or not wanted:
        return {}
    answers = Answer.objects.filter(
        item_id__in=[item.pk for item in items],
        dont_know=False,
        number__isnull=False,
        response__lens=release.lens,
        response__author__isnull=True,
        response__submitted_on__gte=release.period.start,
        response__submitted_on__lt=release.period.end,
        response__unit__path__startswith=under_path,
    )
    if release.as_of is not None:
        answers = answers.filter(response__submitted_on__lte=release.as_of)
    per_response = (
        answers.values("response_id", "response__unit_id", "response__submitted_on")
        .annotate(
            respondent_index=Avg(
                Case(*(_on_100(item) for item in items), default=Value(None)),
                output_field=FloatField(),
            )
        )
        .order_by()
        .values_list("response__unit_id", "response__submitted_on", "respondent_index")
    )
    inner, params = per_response.query.sql_with_params()
    # The second level of grouping (per unit) in SQL too: a period holds up to millions of
    # responses, and only one row per unit comes back.
    # The inner query is Django's own, its values passed as parameters: nothing is spliced.
    sql = (
        "SELECT r.response__unit_id, r.response__submitted_on, COUNT(*), "  # noqa: S608
        "SUM(r.respondent_index), SUM(r.respondent_index * r.respondent_index) "
        f"FROM ({inner}) r WHERE r.respondent_index IS NOT NULL "
        "GROUP BY r.response__unit_id, r.response__submitted_on"
    )
    # People's lenses: each unit counts its respondents up to its own release day.
    through = release.through if release.through else None
    found: dict[int, list[float]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit_id, day, count, total, squares in cursor.fetchall():
            for ancestor in lineage.get(unit_id, ()):
                if through is not None and not (through.get(ancestor) and day <= through[ancestor]):
                    continue
                if ancestor in wanted:
                    sums = found.setdefault(ancestor, [0, 0.0, 0.0])
                    sums[0] += int(count)
                    sums[1] += float(total or 0.0)
                    sums[2] += float(squares or 0.0)
    return {
        unit: RespondentSums(int(n), total, squares) for unit, (n, total, squares) in found.items()
    }
