from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from miroir.analytics.multiplicity import MultiplicityError, benjamini_hochberg, holm

P_VALUES = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.5, 0.9]


def test_benjamini_hochberg_agrees_with_statsmodels():
    result = benjamini_hochberg(P_VALUES)
    flagged, adjusted, _, _ = multipletests(P_VALUES, alpha=0.05, method="fdr_bh")
    assert list(result.adjusted) == pytest.approx(list(adjusted))
    assert list(result.flagged) == list(flagged)
    assert result.flagged_count == 2


def test_holm_agrees_with_statsmodels():
    result = holm(P_VALUES)
    flagged, adjusted, _, _ = multipletests(P_VALUES, alpha=0.05, method="holm")
    assert list(result.adjusted) == pytest.approx(list(adjusted))
    assert list(result.flagged) == list(flagged)


@given(st.lists(st.floats(min_value=0, max_value=1), max_size=60))
def test_both_corrections_agree_with_statsmodels_on_any_p_values(p_values):
    for ours, method in ((benjamini_hochberg, "fdr_bh"), (holm, "holm")):
        result = ours(p_values)
        if not p_values:
            assert result.adjusted == ()
            continue
        _, adjusted, _, _ = multipletests(p_values, alpha=0.05, method=method)
        assert list(result.adjusted) == pytest.approx(list(adjusted), abs=1e-12)
        assert all(a >= p for a, p in zip(result.adjusted, p_values, strict=True))


def test_a_p_value_outside_0_and_1_is_refused():
    with pytest.raises(MultiplicityError, match=r"between 0 and 1, got 1\.2"):
        benjamini_hochberg([0.1, 1.2])


def test_a_missing_p_value_is_refused():
    with pytest.raises(MultiplicityError, match="must be numbers"):
        holm([0.1, None])
