"""Results through intake, the gate and the API: figures, suppression, scope, errors."""

from __future__ import annotations

import pytest
from django.utils import timezone
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from miroir.results import selectors
from miroir.results.engine.tally import answer_groups
from miroir.results.models import Rollup
from miroir.results.periods import period_of
from miroir.results.services import rollups_rebuild
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, user) -> None:
    assert client.login(username=user.email, password=PASSWORD)


def test_rollups_equal_a_recomputation_after_intake_and_after_rebuild(answered) -> None:
    def stored():
        return sorted(
            (r.unit_id, r.item_id, r.choice, r.n, r.dont_know, r.total, r.v1, r.v5)
            for r in Rollup.objects.all()
        )

    from miroir.collect.models import Answer

    recomputed = sorted(
        (
            g["unit_key"],
            g["item_id"],
            g["choice_key"],
            g["n"],
            g["dont_know"],
            g["total"],
            g["v1"],
            g["v5"],
        )
        for g in answer_groups(Answer.objects.all(), lens="employee")
    )
    assert stored() == recomputed
    rollups_rebuild()
    assert stored() == recomputed


def test_the_company_figure_agrees_with_scipy_and_statsmodels(personas, answered) -> None:
    _wave, given = answered
    period = period_of(timezone.localdate())
    results = selectors.unit_results(
        unit=personas.company, lens="employee", period=period, levels=0
    )
    figure = results.figure(personas.company.pk, "ecoute-employee")
    assert not figure.suppressed and figure.n == len(given)
    mean = figure.statistic("mean")
    low, high = stats.t.interval(
        0.95, len(given) - 1, loc=sum(given) / len(given), scale=stats.sem(given)
    )
    assert mean.value == pytest.approx(sum(given) / len(given))
    assert (mean.low, mean.high) == pytest.approx((low, high))
    top = figure.statistic("top_box")
    wilson = proportion_confint(given.count(5), len(given), method="wilson")
    assert (top.low, top.high) == pytest.approx(wilson)


def test_small_units_are_one_marker_and_their_sibling_is_hidden_too(personas, answered) -> None:
    period = period_of(timezone.localdate())
    results = selectors.unit_results(
        unit=personas.company, lens="employee", period=period, levels=None
    )
    by_unit = {f.unit_id: f for f in results.figures if f.subject.code == "ecoute-employee"}
    # Lille (9 answers) minus Lille Vente (8) would reveal the one answer given at the
    # shop itself: Lille Vente is hidden although it has 8.
    assert not by_unit[personas.lille.pk].suppressed
    assert by_unit[personas.lille_vente.pk].suppressed
    assert not by_unit[personas.marseille.pk].suppressed
    hidden = by_unit[personas.lille_vente.pk]
    assert (hidden.n, hidden.statistics, hidden.distribution) == (None, (), None)
    visible = [f for f in by_unit.values() if not f.suppressed]
    assert all(f.n >= results.threshold for f in visible)


def test_the_api_gives_the_gated_figures_to_the_direction(client, personas, answered) -> None:
    _login(client, personas.direction)
    response = client.get(f"/api/v1/results/units/{personas.company.pk}", {"lens": "employee"})
    assert response.status_code == 200
    body = response.json()
    company = [f for f in body["figures"] if f["unit_id"] == personas.company.pk]
    assert {f["subject"]["code"]: f["n"] for f in company}["ecoute-employee"] == 14
    response = client.get(
        f"/api/v1/results/units/{personas.lille.pk}", {"lens": "employee", "levels": 1}
    )
    vente = [f for f in response.json()["figures"] if f["unit_id"] == personas.lille_vente.pk]
    assert vente and all(f["suppressed"] and f["n"] is None for f in vente)


def test_a_manager_of_another_shop_gets_404_and_an_employee_403(client, personas, answered) -> None:
    _login(client, personas.sibling_manager)
    response = client.get(f"/api/v1/results/units/{personas.lille.pk}", {"lens": "employee"})
    assert response.status_code == 404
    assert response.json()["code"] == "results.not_found"
    client.logout()
    _login(client, personas.employee)
    response = client.get(f"/api/v1/results/units/{personas.lille.pk}", {"lens": "employee"})
    assert response.status_code == 403
    assert response.json()["code"] == "results.forbidden"


def test_a_malformed_period_is_refused_with_its_code(client, personas) -> None:
    _login(client, personas.direction)
    response = client.get(
        f"/api/v1/results/units/{personas.company.pk}", {"lens": "employee", "period": "2026-13"}
    )
    # The label's form is in the OpenAPI document: refused as invalid input, naming the field.
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [problem["field"] for problem in body["errors"]] == ["query.period"]


def test_a_year_is_refused_for_segments_with_its_code(client, personas) -> None:
    # Segments are released by quarter only; a year is well-formed but refused.
    _login(client, personas.direction)
    response = client.get(
        f"/api/v1/results/units/{personas.company.pk}/segments",
        {"lens": "employee", "period": "2026"},
    )
    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["errors"]] == ["query.period"]
