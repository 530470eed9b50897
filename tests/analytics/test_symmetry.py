from __future__ import annotations

import pytest

from miroir.analytics.symmetry import WEIGHTS, SymmetryError, symmetry_index


def test_every_component_present_gives_the_weighted_mean_of_the_scores():
    index = symmetry_index(
        experience_gaps=[10, -20],  # mean absolute gap 15 → 70
        perception_gaps=[5],  # → 90
        response_rate=(0.3, 0.6),  # ratio 0.5 → 50
        answered_in_time=(0.8, 0.8),  # → 100
        adopted=(0.2, 0.1),  # ratio 2 → 50
        time_to_answer=(12, 3),  # ratio 4 → 25
    )
    scores = {c.code: c.score for c in index.components}
    assert scores == pytest.approx(
        {
            "experience": 70,
            "perception": 90,
            "response_rate": 50,
            "answered_in_time": 100,
            "adopted": 50,
            "time_to_answer": 25,
        }
    )
    expected = (30 * 70 + 20 * 90 + 15 * 50 + 15 * 100 + 10 * 50 + 10 * 25) / 100
    assert index.value == pytest.approx(expected)
    assert index.coverage == 1
    assert sum(c.contribution for c in index.components) == pytest.approx(index.value)


def test_missing_components_are_left_out_and_the_others_reweighted():
    index = symmetry_index(experience_gaps=[10], response_rate=(0.5, None), adopted=(0.3, 0.6))
    assert index.component("response_rate").missing
    assert index.component("perception").effective_weight == 0
    assert index.component("experience").effective_weight == pytest.approx(30 / 40)
    assert index.value == pytest.approx((30 * 80 + 10 * 50) / 40)
    assert index.coverage == pytest.approx(0.4)


def test_without_any_component_there_is_no_index():
    index = symmetry_index()
    assert index.value is None and index.coverage == 0
    assert [c.code for c in index.components] == list(WEIGHTS)


def test_employees_ahead_and_customers_ahead_score_alike():
    ahead = symmetry_index(response_rate=(0.6, 0.3)).value
    behind = symmetry_index(response_rate=(0.3, 0.6)).value
    assert ahead == behind == pytest.approx(50)


def test_a_side_at_zero_scores_zero_and_both_at_zero_score_100():
    assert symmetry_index(adopted=(0.0, 0.4)).value == 0
    assert symmetry_index(adopted=(0.4, 0.0)).component("adopted").raw is None
    assert symmetry_index(adopted=(0.0, 0.0)).value == 100


def test_a_gap_of_50_points_or_more_scores_zero():
    assert symmetry_index(experience_gaps=[60]).value == 0


def test_bad_inputs_are_refused_with_the_component_named():
    with pytest.raises(
        SymmetryError, match="answered_in_time \\(customer\\): a share is from 0 to 1"
    ):
        symmetry_index(answered_in_time=(0.5, 40))
    with pytest.raises(SymmetryError, match=r"experience: a gap of 150\.0 is outside"):
        symmetry_index(experience_gaps=[150])
    with pytest.raises(SymmetryError, match="weights must give exactly"):
        symmetry_index(weights={"experience": 1})
