"""The demo's planted effects, recovered through the database path (roll-ups, gate, selectors).

The demo plants: staff feel less listened to than customers feel heard (item offsets of
the "ecoute" mirror), management overestimates what employees feel (a baseline gap
plus some shops), and a positive link between each shop's employee and customer
experience (``org.ex_cx_link``). The figures must show each within their intervals.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from scipy import stats

from miroir.collect.models import Response, WaveStatus
from miroir.demo.selectors import demo_truth
from miroir.org.models import Lens, Unit
from miroir.results import selectors
from miroir.results.engine import stats as engine_stats
from miroir.results.engine.tally import answer_groups
from miroir.results.models import Rollup
from miroir.results.periods import period_of
from miroir.results.services import rollups_rebuild
from tests.demo.support import run_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: None, settings, tmp_path: Path) -> Unit:
    settings.DATA_DIR = tmp_path
    run_demo("--regions", "3", "--shops", "18", "--members-per-shop", "14")
    return Unit.objects.get(parent__isnull=True)


def _closed_period():
    """Return the latest period whose responses all belong to closed waves."""
    last = Response.objects.filter(wave__status=WaveStatus.CLOSED).order_by("-submitted_on").first()
    return period_of(last.submitted_on)


def test_the_demo_builds_rollups_equal_to_a_recomputation(demo) -> None:
    stored = {}
    for row in Rollup.objects.filter(lens=Lens.EMPLOYEE).values():
        key = (
            row["wave_id"],
            row["unit_id"],
            row["item_id"],
            row["period"],
            row["value"],
            row["choice"],
        )
        stored[key] = (row["n"], row["dont_know"], round(row["total"], 6))
    from miroir.collect.models import Answer

    computed = {}
    for row in answer_groups(Answer.objects.all(), lens=Lens.EMPLOYEE):
        period = row["period"].date() if hasattr(row["period"], "date") else row["period"]
        key = (
            row["wave_key"],
            row["unit_key"],
            row["item_id"],
            period,
            row["segment_value"],
            row["choice_key"],
        )
        computed[key] = (row["n"], row["dont_know"], round(row["total"], 6))
    assert stored and stored == computed
    before = Rollup.objects.count()
    rollups_rebuild()
    assert Rollup.objects.count() == before


def test_the_planted_effects_are_recovered_within_their_intervals(demo) -> None:
    _staff_feel_less_listened_to_than_customers_feel_heard(demo)
    _management_overestimates_what_employees_feel(demo)
    _the_employee_and_customer_indices_go_together_across_shops(demo)
    _open_waves_are_shown_as_they_stood_yesterday(demo)
    _the_api_serves_every_comparison(demo)
    _each_figure_carries_its_change_since_the_previous_period(demo)


def _staff_feel_less_listened_to_than_customers_feel_heard(demo) -> None:
    period = _closed_period()
    rows = {row.mirror.code: row for row in selectors.experience_symmetry(unit=demo, period=period)}
    gap = rows["ecoute"].gaps[Lens.EMPLOYEE]
    # Planted: customer offset +0.25, employee -0.6 latent units, slope 0.9 on a 1-5 scale.
    truth = demo_truth("collect", "answer_model")
    offsets = truth["item_offsets"]
    assert offsets["ecoute-customer"] > offsets["ecoute-employee"]
    assert gap.value is not None and gap.value > 0 and gap.significant


def _management_overestimates_what_employees_feel(demo) -> None:
    period = _closed_period()
    rows = selectors.perception_gaps(unit=demo, period=period)
    visible = [row.gap for row in rows if row.gap.value is not None]
    assert visible
    assert sum(gap.value for gap in visible) / len(visible) > 0
    assert demo_truth("org", "perception_gap")["baseline"] > 0


def _the_employee_and_customer_indices_go_together_across_shops(demo) -> None:
    period = _closed_period()
    result = selectors.unit_linkage(unit=demo, period=period, level="shop")
    # A shop's figures stop at its last release day (docs/anonymity.md, "Over time"): the
    # few who answered after it count in its region, so fewer shops pass than all answers.
    assert result.units >= 8
    assert result.pearson is not None
    # Planted: cx = 0.5 ex + noise; the interval must lie above zero or at least hold it.
    assert result.pearson.high > 0
    assert result.guardrails.units == result.units
    assert result.guardrails.caveat
    # The same figures as SciPy on the released unit indices.
    ex = [point[0] for point in result.points.values()]
    cx = [point[1] for point in result.points.values()]
    assert result.pearson.r == pytest.approx(stats.pearsonr(ex, cx).statistic)
    assert result.spearman.r == pytest.approx(stats.spearmanr(ex, cx).statistic)
    assert result.reliability_employee is not None and 0 <= result.reliability_employee.icc2 <= 1


def _open_waves_are_shown_as_they_stood_yesterday(demo) -> None:
    today = timezone.localdate()
    period = period_of(today)
    results = selectors.unit_results(unit=demo, lens=Lens.EMPLOYEE, period=period, levels=0)
    assert results.as_of == today - timedelta(days=1)


def _the_api_serves_every_comparison(demo) -> None:
    from django.test import Client

    from miroir.accounts.models import User

    client = Client()
    client.force_login(User.objects.filter(is_superuser=True).first() or _direction_user())
    period = _closed_period().label
    base = f"/api/v1/results/units/{demo.pk}"
    for path, query in [
        ("", {"lens": "customer", "period": period, "subject": "dimension"}),
        ("/segments", {"lens": "employee", "period": period}),
        ("/experience", {"period": period}),
        ("/perception", {"period": period}),
        ("/listening", {"period": period}),
        ("/symmetry", {"period": period}),
        ("/linkage", {"period": period}),
        ("/verbatims", {"lens": "employee", "period": period}),
        ("/trend", {"lens": "employee", "period": period, "subject": "dimension"}),
        ("/barometer", {"period": period}),
        ("/network", {"period": period}),
    ]:
        response = client.get(base + path, query)
        assert response.status_code == 200, (path, response.content[:300])
    body = client.get(base + "/symmetry", {"period": period}).json()
    assert {component["code"] for component in body["components"]} >= {"experience", "perception"}


def _direction_user():
    from miroir.org.models import Role, RoleKind

    return (
        Role.objects.filter(kind=RoleKind.DIRECTION)
        .select_related("member__user")
        .first()
        .member.user
    )


def _each_figure_carries_its_change_since_the_previous_period(demo) -> None:
    period = _closed_period()
    now, before = selectors.unit_trend(
        unit=demo, lens=Lens.EMPLOYEE, periods=[period, period.previous()][::-1]
    )[::-1]
    figure = now.figure(demo.pk, "ecoute-employee")
    previous = before.figure(demo.pk, "ecoute-employee")
    mean, old = figure.statistic("mean"), previous.statistic("mean")
    assert mean.change is not None and mean.change.previous == period.previous().label
    assert mean.change.value == pytest.approx(mean.value - old.value)
    assert mean.change.low < mean.change.value < mean.change.high
    assert isinstance(mean.change.significant, bool)


def test_a_linkage_is_computed_once_for_the_same_releases(demo, settings, monkeypatch) -> None:
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 3600
    period = _closed_period()
    pooled: list[int] = []
    original = engine_stats.pooled_many

    def spy(release, items, unit_ids):
        pooled.append(len(unit_ids))
        return original(release, items, unit_ids)

    monkeypatch.setattr(engine_stats, "pooled_many", spy)
    first = selectors.unit_linkage(unit=demo, period=period, level="shop")
    assert pooled
    pooled.clear()
    assert selectors.unit_linkage(unit=demo, period=period, level="shop") is first
    assert pooled == []
    # Another question is computed: fewer periods over time.
    fewer = selectors.unit_linkage(unit=demo, period=period, level="shop", periods=2)
    assert fewer is not first and pooled
    # A raised threshold makes new releases, hence a new linkage over fewer or as many units.
    pooled.clear()
    settings.MIROIR_ANONYMITY_THRESHOLD = 7
    raised = selectors.unit_linkage(unit=demo, period=period, level="shop")
    assert raised is not first and pooled
    assert raised.units <= first.units
