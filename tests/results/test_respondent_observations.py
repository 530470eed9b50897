"""Unit reliability and the per-unit gap flags count one observation per respondent.

A person's answers to the items of an index are correlated: counting each answer as an
observation made ICC(2) come out near 0.98 and the gap p-values far too small. Here every
respondent answers six items around their own level, shops do not differ, and the figures
are checked against a one-way ANOVA (SciPy) and Welch's t-test on the respondents' means.
"""

from __future__ import annotations

import random

import pytest
from scipy import stats

from miroir.analytics.reliability import reliability
from miroir.collect.models import Answer, Response, Wave, WaveStatus
from miroir.instruments.services import instrument_create, item_create
from miroir.org.models import Lens, UnitKind
from miroir.org.services import unit_create
from miroir.results import selectors
from miroir.results.periods import period_of
from miroir.results.services import rollups_rebuild
from tests.reports.support import last_quarter_days

pytestmark = pytest.mark.django_db

ITEMS = {Lens.EMPLOYEE: 6, Lens.CUSTOMER: 4}
PEOPLE = {Lens.EMPLOYEE: 8, Lens.CUSTOMER: 9}


@pytest.fixture
def correlated(personas, make_wave):
    """Return (company, period, {lens: {shop id: [each respondent's answers on 0-100]}})."""
    instrument = instrument_create(actor=None, title_fr="Corrélé", slug="correle")
    for lens, count in ITEMS.items():
        for index in range(count):
            item_create(
                instrument=instrument,
                actor=None,
                code=f"{lens}-{index}",
                lens=lens,
                scale="agree5",
                text_fr=f"Question {index}",
                dimension="connexions",
            )
    shops = [personas.lille, personas.arras, personas.marseille]
    shops += [
        unit_create(name=name, kind=UnitKind.SHOP, parent=personas.sud)
        for name in ("Nice", "Toulon")
    ]
    day = last_quarter_days()[0]
    rng = random.Random(14)
    given: dict[str, dict[int, list[list[float]]]] = {}
    for lens in ITEMS:
        wave = make_wave(name=f"Corrélé {lens}", lens=lens, instrument=instrument)
        Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
        items = list(instrument.items.filter(lens=lens).order_by("code"))
        for shop in shops:
            for _ in range(PEOPLE[lens]):
                # A person's level, then each answer near it: strongly correlated answers.
                level = rng.choice([1, 2, 3, 4, 5])
                numbers = [min(5, max(1, level + rng.choice([-1, 0, 0, 0, 1]))) for _ in items]
                response = Response.objects.create(
                    wave=wave, unit=shop, lens=lens, submitted_on=day, channel="link"
                )
                Answer.objects.bulk_create(
                    Answer(response=response, item=item, number=number)
                    for item, number in zip(items, numbers, strict=True)
                )
                given.setdefault(lens, {}).setdefault(shop.pk, []).append(
                    [(number - 1) * 25.0 for number in numbers]
                )
    rollups_rebuild()
    return personas.company, period_of(day), given


def _means(answers: list[list[float]]) -> list[float]:
    return [sum(person) / len(person) for person in answers]


def test_reliability_is_the_anova_of_respondent_means(correlated):
    company, period, given = correlated
    found = selectors.unit_linkage(unit=company, period=period, level="shop")
    assert found.units == 5
    for lens, computed in (
        (Lens.EMPLOYEE, found.reliability_employee),
        (Lens.CUSTOMER, found.reliability_customer),
    ):
        groups = [_means(given[lens][shop]) for shop in sorted(given[lens])]
        anova = stats.f_oneway(*groups)
        assert computed.respondents == sum(len(group) for group in groups) == 5 * PEOPLE[lens]
        assert computed.units == 5
        assert computed.f == pytest.approx(anova.statistic, rel=1e-9)
        assert computed.p_value == pytest.approx(anova.pvalue, rel=1e-9)
        # Equal groups of k: ICC(2) = 1 - 1/F and ICC(1) = (F - 1) / (F + k - 1).
        f, k = anova.statistic, PEOPLE[lens]
        assert computed.icc2 == pytest.approx(1 - 1 / f, rel=1e-9)
        assert computed.icc1 == pytest.approx((f - 1) / (f + k - 1), rel=1e-9)


def test_counting_each_answer_would_overstate_the_reliability(correlated):
    company, period, given = correlated
    found = selectors.unit_linkage(unit=company, period=period, level="shop")
    per_answer = reliability(
        [
            [answer for person in given[Lens.EMPLOYEE][shop] for answer in person]
            for shop in sorted(given[Lens.EMPLOYEE])
        ]
    )
    # The old way saw six times the respondents and a much larger F.
    assert per_answer.respondents == ITEMS[Lens.EMPLOYEE] * found.reliability_employee.respondents
    assert per_answer.f > 3 * found.reliability_employee.f
    assert per_answer.icc2 > found.reliability_employee.icc2 + 0.3


def test_gap_p_values_are_welch_on_respondent_means(correlated):
    company, period, given = correlated
    found = selectors.unit_linkage(unit=company, period=period, level="shop")
    assert len(found.flags) == 5
    for flag in found.flags:
        customers = _means(given[Lens.CUSTOMER][flag.unit_id])
        employees = _means(given[Lens.EMPLOYEE][flag.unit_id])
        welch = stats.ttest_ind(customers, employees, equal_var=False)
        assert flag.p_value == pytest.approx(welch.pvalue, rel=1e-6)
        expected_gap = sum(customers) / len(customers) - sum(employees) / len(employees)
        assert flag.gap == pytest.approx(expected_gap, rel=1e-9)
