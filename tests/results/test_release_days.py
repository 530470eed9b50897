"""Over time: no group under the threshold can be isolated by comparing two releases.

Answers arrive one day at a time in a small tree; results are read every day while the
wave is open (the daily snapshot), after it closes, and after a threshold was raised.
Every pair of releases is compared, unit by unit, item by item and segment by segment:
their figures (count and mean) are the same, or their bases differ by at least the
threshold (the lower of the two releases' when one came before a raise).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from itertools import combinations

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miroir.collect.models import Answer, Response, Wave, WaveStatus
from miroir.collect.services import wave_raise_thresholds
from miroir.org.models import ContractType
from miroir.results import gate, selectors
from miroir.results.engine import keep
from miroir.results.periods import period_of
from miroir.results.services import rollups_add

CONTRACTS = (ContractType.PERMANENT, ContractType.FIXED_TERM)


# -- the rule itself, on plain data ---------------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> dict:
    size = draw(st.integers(min_value=1, max_value=6))
    parents: dict[int, int | None] = {0: None}
    for unit in range(1, size):
        parents[unit] = draw(st.integers(min_value=0, max_value=unit - 1))
    days = draw(st.integers(min_value=1, max_value=12))
    arrivals = [
        draw(st.lists(st.integers(min_value=0, max_value=size - 1), max_size=6))
        for _ in range(days)
    ]
    threshold = draw(st.integers(min_value=3, max_value=6))
    raised = draw(st.one_of(st.none(), st.tuples(st.integers(0, days), st.integers(1, 3))))
    return {"parents": parents, "arrivals": arrivals, "threshold": threshold, "raised": raised}


def _lineage(parents: dict, unit: int) -> list[int]:
    path = [unit]
    while parents[path[-1]] is not None:
        path.append(parents[path[-1]])
    return path


@settings(max_examples=300, deadline=None)
@given(histories())
def test_two_releases_of_a_unit_differ_by_nobody_or_by_at_least_the_threshold(history) -> None:
    parents, start = history["parents"], date(2026, 1, 5)
    depth = {unit: len(_lineage(parents, unit)) for unit in parents}
    ordered = sorted(parents, key=depth.__getitem__)
    within = {unit: () if parents[unit] is None else (parents[unit],) for unit in parents}
    people: list[tuple[int, date, int]] = []  # (unit, day, id)
    releases: list[tuple[int, dict[int, frozenset[int]]]] = []
    threshold = history["threshold"]
    for offset, arriving in enumerate(history["arrivals"]):
        if history["raised"] is not None and history["raised"][0] == offset:
            threshold += history["raised"][1]  # thresholds only go up
        day = start + timedelta(days=offset)
        people += [(unit, day, len(people) + index) for index, unit in enumerate(arriving)]
        counts: dict[int, dict[date, int]] = {unit: {} for unit in ordered}
        for unit, when, _ in people:
            for above in _lineage(parents, unit):
                counts[above][when] = counts[above].get(when, 0) + 1
        days = gate.release_days(
            {unit: counts[unit] for unit in ordered},
            within,
            [threshold],
            floor=history["threshold"],
        )[threshold]
        shown = {
            unit: frozenset(
                pk
                for member, when, pk in people
                if unit in _lineage(parents, member) and days[unit] and when <= days[unit]
            )
            for unit in parents
        }
        for unit, above in parents.items():
            if above is not None:  # within one release, a unit's people are in its parent's
                assert shown[unit] <= shown[above]
        releases.append((threshold, shown))
    for (low, first), (high, second) in combinations(releases, 2):
        for unit in parents:
            moved = len(first[unit] ^ second[unit])
            assert moved == 0 or moved >= min(low, high), (unit, first[unit], second[unit])


# -- through intake, roll-ups, releases and the selectors -----------------------------------

days_of_answers = st.lists(
    st.lists(
        st.tuples(st.integers(0, 4), st.sampled_from(CONTRACTS), st.integers(1, 5)),
        max_size=4,
    ),
    min_size=2,
    max_size=7,
)


def _answer(wave: Wave, unit, contract: str, value: int, day: date) -> None:
    response = Response.objects.create(
        wave=wave,
        unit=unit,
        lens="employee",
        submitted_on=day,
        attributes={"contract_type": contract},
        channel="link",
    )
    answers = [
        Answer(response=response, item=item, number=value if item.scale != "nps" else 2 * value)
        for item in wave.instrument.items.filter(lens="employee")
        if item.scale in ("agree5", "nps")
    ]
    Answer.objects.bulk_create(answers)
    rollups_add(response=response, answers=answers)


def _release(personas, period, today: date) -> tuple[int, dict[tuple, tuple[int, float]]]:
    """Return the threshold and every shown figure: (unit, item, segment) → (n, mean)."""
    keep.forget()
    found: dict[tuple, tuple[int, float]] = {}
    tree = selectors.unit_results(
        unit=personas.company,
        lens="employee",
        period=period,
        levels=None,
        today=today,
        with_change=False,
    )
    figures = list(tree.figures)
    for unit in (personas.company, personas.nord, personas.lille, personas.lille_vente):
        figures += selectors.segment_results(
            unit=unit, lens="employee", period=period, today=today
        ).figures
    for figure in figures:
        if not figure.suppressed:
            key = (figure.unit_id, figure.subject.code, figure.segment)
            found[key] = (figure.n, figure.statistic("mean").value)
    return tree.threshold, found


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    arrivals=days_of_answers,
    raise_on=st.one_of(st.none(), st.integers(0, 6)),
    close_after=st.one_of(st.none(), st.integers(0, 6)),
    seed=st.integers(0, 1000),
)
def test_no_pair_of_daily_releases_isolates_fewer_than_the_threshold(
    personas, make_wave, launch, arrivals, raise_on, close_after, seed
) -> None:
    names = ("lille_vente", "lille_caisse", "lille", "arras", "marseille")
    units = [getattr(personas, name) for name in names]
    period = period_of(timezone.localdate())
    start = period.start
    rng = random.Random(seed)
    with transaction.atomic():
        wave = launch(make_wave(attributes=["contract_type"]))
        opened = timezone.make_aware(datetime.combine(start, time(8)))
        Wave.objects.filter(pk=wave.pk).update(opens_at=opened)
        releases = []
        # A few people answered on the first day already: figures to compare against.
        for _ in range(rng.randint(3, 8)):
            _answer(wave, rng.choice(units), rng.choice(CONTRACTS), rng.randint(1, 5), start)
        for offset, arriving in enumerate(arrivals, start=1):
            day = start + timedelta(days=offset)
            if raise_on == offset:
                wave.refresh_from_db()
                wave_raise_thresholds(
                    wave=wave, actor=personas.admin, scores=wave.threshold_scores + 1
                )
            for unit_index, contract, value in arriving:
                _answer(wave, units[unit_index], contract, value, day)
            # Read during the day (today's answers left out) and the next morning.
            releases.append(_release(personas, period, day))
            releases.append(_release(personas, period, day + timedelta(days=1)))
            if close_after == offset:
                Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
                releases.append(_release(personas, period, day))
                break
        for (low, first), (high, second) in combinations(releases, 2):
            for key in first.keys() & second.keys():
                (n1, mean1), (n2, mean2) = first[key], second[key]
                assert n1 == n2 or abs(n1 - n2) >= min(low, high), (key, first[key], second[key])
                if n1 == n2:
                    assert mean1 == pytest.approx(mean2), key
        transaction.set_rollback(True)
    keep.forget()


@pytest.mark.django_db
def test_one_person_answering_on_a_day_moves_no_figure(personas, make_wave, launch) -> None:
    """The review's case: one answer on a day showed in the next day's region and company."""
    period = period_of(timezone.localdate())
    start = period.start
    wave = launch(make_wave(attributes=["contract_type"]))
    Wave.objects.filter(pk=wave.pk).update(
        opens_at=timezone.make_aware(datetime.combine(start, time(8)))
    )
    for index in range(12):
        unit = personas.lille_vente if index % 2 else personas.arras
        _answer(wave, unit, ContractType.PERMANENT, 1 + index % 5, start)
    before = _release(personas, period, start + timedelta(days=1))[1]
    assert before, "the first day's figures are shown"
    _answer(wave, personas.lille_vente, ContractType.PERMANENT, 5, start + timedelta(days=1))
    after = _release(personas, period, start + timedelta(days=2))[1]
    assert after == before
    Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
    closed = _release(personas, period, start + timedelta(days=2))[1]
    assert closed == before  # closing does not release the lone answer either
    for _ in range(4):
        _answer(wave, personas.marseille, ContractType.PERMANENT, 3, start + timedelta(days=2))
    grown = _release(personas, period, start + timedelta(days=3))[1]
    company = (personas.company.pk, "ecoute-employee", None)
    assert grown[company][0] == before[company][0] + 5  # the lone one and four more
