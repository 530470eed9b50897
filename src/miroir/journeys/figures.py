"""The satisfaction map of a unit, through the privacy gate, as plain JSON-ready data.

Read-only. ``unit_map`` is what a manager's page, the API and a publication's frozen
snapshot show; every figure passes through ``results.gate``:

- employees' figures at a unit need ``threshold_scores`` respondents (at least the site's
  threshold), decided by ``gate.release_tree`` over the wave's subtree, so no parent minus
  its visible children isolates fewer than the threshold; each moment is decided the same
  way on the respondents who rated it;
- employees' proposed solutions need ``threshold_verbatims`` respondents under the same rule
  and go through ``gate.verbatims`` (shuffled, names removed; nothing if redaction fails);
- management's estimate at a unit is an attributed judgement (``MIROIR_ESTIMATE_ATTRIBUTED``,
  the default): the estimate of the unit's own manager(s) is shown at that unit, named as
  theirs, whatever the count. With the setting off it is gated like employees' answers.

A map is released once, at the wave's close: an open wave shows nothing, so no two releases
can be compared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db.models import Count

from miroir.analytics.maps import (
    EMOTIONS,
    Gap,
    MomentFigures,
    Rating,
    moment_figures,
    one_sided_truth,
    satisfaction_gap,
    truth_gap,
)
from miroir.journeys.models import MapAnswer, MapResponse, MapWave, MapWaveStatus
from miroir.journeys.selectors import map_moments
from miroir.org.models import Lens, Member, Unit
from miroir.results import gate
from miroir.text import bundled_themes, themes_for

LENSES = (Lens.EMPLOYEE, Lens.MANAGEMENT)


def estimate_attributed() -> bool:
    """Return whether a manager's estimate is shown as theirs at their own unit."""
    return bool(settings.MIROIR_ESTIMATE_ATTRIBUTED)


def _tree(wave: MapWave) -> tuple[dict[int, int | None], list[Unit]]:
    units = list(Unit.objects.filter(path__startswith=wave.unit.path))
    parents = {u.pk: (None if u.pk == wave.unit_id else u.parent_id) for u in units}
    return parents, units


def _subtree_counts(
    units: list[Unit], own: dict[int, int], parents: dict[int, int | None]
) -> dict[int, int]:
    """Return each unit's count with its whole subtree included."""
    totals: dict[int, int] = defaultdict(int)
    for unit_id, count in own.items():
        key: int | None = unit_id
        while key is not None:
            totals[key] += count
            key = parents.get(key)
    return {u.pk: totals.get(u.pk, 0) for u in units}


def _visible(
    parents: dict[int, int | None], units: list[Unit], own: dict[int, int], threshold: int
) -> frozenset[int]:
    return gate.release_tree(parents, _subtree_counts(units, own, parents), threshold)


def _figures_out(figures: MomentFigures) -> dict[str, Any]:
    return {
        "n": figures.satisfaction.n,
        "satisfaction": figures.satisfaction.value,
        "satisfaction_low": figures.satisfaction.low,
        "satisfaction_high": figures.satisfaction.high,
        "truth": figures.truth.value,
        "truth_low": figures.truth.low,
        "truth_high": figures.truth.high,
        "valence": figures.valence,
        "emotion": figures.dominant_emotion,
    }


def _gap_out(gap: Gap) -> dict[str, Any] | None:
    return None if gap.value is None else asdict(gap)


def _lens_units(wave: MapWave, lens: str, unit: Unit) -> dict[str, Any]:
    """Return the responses of ``lens`` counted at ``unit`` and how they may be shown."""
    parents, units = _tree(wave)
    responses = MapResponse.objects.filter(wave=wave, lens=lens)
    attributed = lens == Lens.MANAGEMENT and estimate_attributed()
    if attributed:
        # The unit's own managers' estimates: shown as theirs, whatever their number.
        own = responses.filter(unit=unit)
        return {"ids": list(own.values_list("pk", flat=True)), "visible": True, "texts": True,
                "attributed": True, "units": [unit.pk]}  # fmt: skip
    own_counts = dict(responses.values("unit").annotate(n=Count("pk")).values_list("unit", "n"))
    k = gate.score_threshold(lens, [wave.threshold_scores])
    kv = gate.verbatim_threshold(lens, [wave.threshold_verbatims])
    subtree = [u.pk for u in units if u.path.startswith(unit.path)]
    return {
        "lens": lens,
        "ids": list(responses.filter(unit_id__in=subtree).values_list("pk", flat=True)),
        "visible": unit.pk in _visible(parents, units, own_counts, k),
        "texts": unit.pk in _visible(parents, units, own_counts, kv),
        "attributed": False,
        "units": subtree,
        "threshold": k,
        "counts": own_counts,
        "tree": (parents, units),
    }


def _moment_visible(wave: MapWave, side: dict[str, Any], moment_id: int, unit: Unit) -> bool:
    """Return whether a moment's figures of a gated lens may be shown at ``unit``."""
    if side["attributed"]:
        return True
    if not side["visible"]:
        return False
    parents, units = side["tree"]
    rated = (
        MapAnswer.objects.filter(
            response__wave=wave,
            response__lens=side["lens"],
            moment_id=moment_id,
            satisfaction__isnull=False,
        )
        .values("response__unit")
        .annotate(n=Count("pk"))
        .values_list("response__unit", "n")
    )
    return unit.pk in _visible(parents, units, dict(rated), side["threshold"])


def unit_map(wave: MapWave, unit: Unit, *, language: str = "fr") -> dict[str, Any]:
    """Return both maps of ``unit`` (employees', management's estimate) and their gaps, gated.

    Everything is plain data (numbers, strings, lists): it is stored as is when the maps
    are published, so what members read later is exactly what was released.
    """
    moments = map_moments(wave)
    result: dict[str, Any] = {
        "wave": {"id": wave.pk, "name": wave.name, "journey": wave.journey.code,
                 "journey_kind": wave.journey.kind,
                 "closed_on": wave.closed_at.date().isoformat() if wave.closed_at else None},
        "unit": {"id": unit.pk, "name": unit.name},
        "released": wave.status == MapWaveStatus.CLOSED,
        "attributed": estimate_attributed(),
        "lenses": {},
        "moments": [],
        "solutions": {"groups": [], "employee_suppressed": True, "withheld": ""},
    }  # fmt: skip
    if not result["released"]:
        return result
    sides = {lens: _lens_units(wave, lens, unit) for lens in LENSES}
    ratings: dict[tuple[str, int], list[Rating]] = defaultdict(list)
    texts: dict[str, list[tuple[str, str, int]]] = {lens: [] for lens in LENSES}
    answers = MapAnswer.objects.filter(
        response_id__in=[pk for side in sides.values() for pk in side["ids"]]
    ).values_list("pk", "response__lens", "moment_id", "satisfaction", "emotion",
                  "moment_of_truth", "solution")  # fmt: skip
    for pk, lens, moment_id, satisfaction, emotion, truth, solution in answers:
        ratings[(lens, moment_id)].append(Rating(satisfaction, emotion or None, truth))
        if solution:
            texts[lens].append((str(pk), solution, moment_id))
    managers = sorted(
        f"{first} {last}"
        for first, last in Member.objects.filter(
            pk__in=MapResponse.objects.filter(pk__in=sides[Lens.MANAGEMENT]["ids"]).values(
                "manager"
            )
        ).values_list("first_name", "last_name")
    )
    for lens, side in sides.items():
        result["lenses"][lens] = {
            "suppressed": not side["visible"] or not side["ids"],
            "n": len(side["ids"]) if side["visible"] and side["ids"] else None,
            "attributed": side["attributed"],
            "by": managers if side["attributed"] else [],
        }
    attributed = sides[Lens.MANAGEMENT]["attributed"]
    for moment in moments:
        row: dict[str, Any] = {"code": moment.code, "name_fr": moment.name_fr,
                               "name_en": moment.name_en, "stage": moment.stage}  # fmt: skip
        figures: dict[str, MomentFigures | None] = {}
        for lens, side in sides.items():
            shown = (
                bool(side["ids"])
                and bool(ratings[(lens, moment.pk)])
                and _moment_visible(wave, side, moment.pk, unit)
            )
            figures[lens] = moment_figures(ratings[(lens, moment.pk)]) if shown else None
            row[lens] = _figures_out(figures[lens]) if figures[lens] is not None else None
        employee, management = figures[Lens.EMPLOYEE], figures[Lens.MANAGEMENT]
        row["satisfaction_gap"] = row["truth_gap"] = row["one_sided"] = None
        if employee is not None and management is not None:
            row["satisfaction_gap"] = _gap_out(
                satisfaction_gap(
                    employee.satisfaction, management.satisfaction, b_attributed=attributed
                )
            )
            row["truth_gap"] = _gap_out(
                truth_gap(employee.truth, management.truth, b_attributed=attributed)
            )
            side = one_sided_truth(employee.truth, management.truth)
            row["one_sided"] = {"a": Lens.EMPLOYEE, "b": Lens.MANAGEMENT}.get(side or "")
        result["moments"].append(row)
    result["solutions"] = _solutions(wave, sides, texts, language)
    return result


def _solutions(
    wave: MapWave,
    sides: dict[str, dict[str, Any]],
    texts: dict[str, list[tuple[str, str, int]]],
    language: str,
) -> dict[str, Any]:
    """Return both sides' proposed solutions, redacted, grouped by the theme they speak of."""
    names = [f"{f} {last}" for f, last in Member.objects.values_list("first_name", "last_name")]
    released: dict[str, list[str]] = {}
    withheld = ""
    employee_suppressed = False
    for lens, side in sides.items():
        rows = [(pk, text, wave.name, "") for pk, text, _ in texts[lens]]
        threshold = gate.verbatim_threshold(Lens.EMPLOYEE, [wave.threshold_verbatims])
        release = gate.verbatims(
            rows, visible=side["texts"], threshold=threshold, names=names, language=language
        )
        if release.withheld:
            withheld = release.withheld
        if lens == Lens.EMPLOYEE:
            employee_suppressed = release.suppressed
        released[lens] = [verbatim.text for verbatim in release.verbatims]
    labels = {theme.code: theme.label(language) for theme in bundled_themes()}
    groups: dict[str, dict[str, Any]] = {}
    for lens, shown in released.items():
        for text, themes in zip(shown, themes_for(shown, language=language), strict=True):
            code = themes[0] if themes else ""
            group = groups.setdefault(
                code,
                {"theme": code, "label": labels.get(code, ""), "employee": [], "management": []},
            )
            group[lens].append(text)
    ordered = sorted(
        groups.values(),
        key=lambda g: (g["theme"] == "", -(len(g["employee"]) + len(g["management"])), g["theme"]),
    )
    for group in ordered:
        group["convergent"] = bool(group["employee"] and group["management"])
    return {"groups": ordered, "employee_suppressed": employee_suppressed, "withheld": withheld}


EMOTION_CODES = tuple(EMOTIONS)
