"""Unit tests of the privacy gate: thresholds, the one marker, suppression, verbatims."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.checks import run_checks

from miroir.results import gate
from miroir.results.gate import SUPPRESSED, release_crossed, release_tree


def test_the_score_threshold_takes_the_highest_of_settings_and_waves(settings) -> None:
    settings.MIROIR_ANONYMITY_THRESHOLD = 5
    assert gate.score_threshold("employee") == 5
    assert gate.score_threshold("employee", [5, 8]) == 8
    settings.MIROIR_ANONYMITY_THRESHOLD = 2
    assert gate.score_threshold("management") == 3


def test_customers_have_their_own_threshold(settings) -> None:
    settings.MIROIR_CUSTOMER_THRESHOLD = 1
    assert gate.score_threshold("customer", [5]) == 1
    settings.MIROIR_CUSTOMER_THRESHOLD = 4
    assert gate.score_threshold("customer") == 4


def test_the_verbatim_threshold_is_never_below_the_score_threshold(settings) -> None:
    settings.MIROIR_ANONYMITY_THRESHOLD = 7
    settings.MIROIR_VERBATIM_THRESHOLD = 5
    assert gate.verbatim_threshold("employee") == 7
    assert gate.verbatim_threshold("employee", [12]) == 12


def test_the_marker_is_one_object_whatever_is_hidden() -> None:
    assert gate.released(3, False) is SUPPRESSED
    assert gate.released(0, False) is gate.released(4, False)
    assert gate.released(9, True) == 9


def test_a_hidden_child_hides_its_smallest_sibling() -> None:
    parents = {"nord": None, "lille": "nord", "arras": "nord", "douai": "nord"}
    counts = {"nord": 20, "lille": 9, "arras": 2, "douai": 9}
    shown = release_tree(parents, counts, 5)
    assert "arras" not in shown
    # nord - lille - douai = arras: one of them must go.
    assert shown == {"nord", "lille"} or shown == {"nord", "douai"}


def test_respondents_attached_to_a_parent_count_in_its_residue() -> None:
    parents = {"shop": None, "team": "shop"}
    assert release_tree(parents, {"shop": 8, "team": 6}, 5) == {"shop"}
    assert release_tree(parents, {"shop": 11, "team": 6}, 5) == {"shop", "team"}


def test_a_segment_that_would_reveal_the_rest_of_its_unit_is_hidden() -> None:
    parents = {"shop": None}
    totals = {"shop": 12}
    cells = {("shop", "permanent"): 10, ("shop", "apprentice"): 2}
    shown, shown_cells = release_crossed(parents, totals, cells, 5)
    assert shown == {"shop"}
    assert shown_cells == frozenset()


def test_the_daily_snapshot_applies_to_open_waves_of_the_organisation_only() -> None:
    today = date(2026, 3, 10)
    assert gate.snapshot_day("employee", has_open_wave=True, today=today) == date(2026, 3, 9)
    assert gate.snapshot_day("employee", has_open_wave=False, today=today) is None
    assert gate.snapshot_day("customer", has_open_wave=True, today=today) is None


def test_verbatims_of_a_small_group_are_not_shown() -> None:
    release = gate.verbatims([("a", "Bien", "Vague", "2026-Q1")], visible=False, threshold=10)
    assert release.suppressed and release.verbatims == ()


def test_verbatims_come_shuffled_dated_by_wave_and_redacted() -> None:
    previous = gate.redactor_install(
        lambda texts, names, language: [t.replace("Sophie", "[nom]") for t in texts]
    )
    try:
        rows = [(f"{i:032x}", f"Merci Sophie {i}", "Pulse T1", "2026-Q1") for i in range(30)]
        release = gate.verbatims(rows, visible=True, threshold=10, names=["Sophie Martin"])
    finally:
        gate.redactor_install(previous)
    texts = [verbatim.text for verbatim in release.verbatims]
    assert sorted(texts) == sorted(f"Merci [nom] {i}" for i in range(30))
    assert texts != [f"Merci [nom] {i}" for i in range(30)]
    assert {(v.wave, v.period) for v in release.verbatims} == {("Pulse T1", "2026-Q1")}


def test_verbatims_are_withheld_when_redaction_fails() -> None:
    def broken(texts, names, language):
        raise RuntimeError("no model")

    previous = gate.redactor_install(broken)
    try:
        release = gate.verbatims([("a", "Texte", "V", "2026-Q1")], visible=True, threshold=10)
    finally:
        gate.redactor_install(previous)
    assert release.suppressed and release.verbatims == () and release.withheld


@pytest.mark.parametrize(
    "setting, value", [("MIROIR_RESULTS_PERIOD", "week"), ("MIROIR_CUSTOMER_THRESHOLD", 0)]
)
def test_a_system_check_refuses_results_settings_that_cannot_work(settings, setting, value) -> None:
    setattr(settings, setting, value)
    ids = {message.id for message in run_checks()}
    assert ids & {"miroir.results.E001", "miroir.results.E002"}


def test_a_verbatim_sample_keeps_the_shuffled_order_and_redacts_only_what_it_keeps() -> None:
    from miroir.results import gate

    seen: list[int] = []

    def counting(texts, names, language):
        seen.append(len(texts))
        return [text.upper() for text in texts]

    rows = [(f"answer-{index}", f"comment {index}", "Pulse T1", "2026-Q4") for index in range(30)]
    previous = gate.redactor_install(counting)
    try:
        whole = gate.verbatims(rows, visible=True, threshold=10)
        sample = gate.verbatims(rows, visible=True, threshold=10, limit=10)
        small = gate.verbatims(rows[:8], visible=True, threshold=10, limit=10)
    finally:
        gate.redactor_install(previous)
    assert seen == [30, 10, 8]
    assert sample.total == 30 and whole.total is None and small.total is None
    assert sample.verbatims == whole.verbatims[:10]
    assert len(small.verbatims) == 8
