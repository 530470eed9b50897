"""Synthetic data with known true values: 95 % intervals must cover them about 95 % of the time."""

from __future__ import annotations

import numpy as np

from miroir.analytics.estimates import (
    difference,
    mean_from_counts,
    nps_from_buckets,
    share_from_counts,
)

DRAWS = 2000


def coverage(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


def test_wilson_intervals_cover_a_planted_share_about_95_percent_of_the_time():
    rng = np.random.default_rng(21)
    truth = 0.37
    hits = []
    for count in rng.binomial(60, truth, size=DRAWS):
        share = share_from_counts(count=int(count), n=60)
        hits.append(share.low <= truth <= share.high)
    assert 0.93 <= coverage(hits) <= 0.97


def test_nps_intervals_cover_a_planted_nps_about_95_percent_of_the_time():
    rng = np.random.default_rng(22)
    buckets = np.array([0.45, 0.30, 0.25])  # promoters, passives, detractors: NPS 20
    hits = []
    for promoters, passives, detractors in rng.multinomial(80, buckets, size=DRAWS):
        nps = nps_from_buckets(
            promoters=int(promoters), passives=int(passives), detractors=int(detractors)
        )
        hits.append(nps.low <= 20 <= nps.high)
    assert 0.93 <= coverage(hits) <= 0.97


def test_share_changes_cover_a_planted_change_and_rarely_flag_a_null_one():
    rng = np.random.default_rng(23)
    covered, false_flags = [], []
    for before, after, same in zip(
        rng.binomial(120, 0.50, size=DRAWS),
        rng.binomial(100, 0.62, size=DRAWS),
        rng.binomial(100, 0.50, size=DRAWS),
        strict=True,
    ):
        first = share_from_counts(count=int(before), n=120)
        moved = difference(share_from_counts(count=int(after), n=100), first)
        covered.append(moved.low <= 0.12 <= moved.high)
        false_flags.append(difference(share_from_counts(count=int(same), n=100), first).significant)
    assert 0.93 <= coverage(covered) <= 0.97
    assert coverage(false_flags) <= 0.065


def test_mean_changes_cover_a_planted_change_in_means():
    rng = np.random.default_rng(24)
    before_p = np.array([0.10, 0.15, 0.30, 0.30, 0.15])
    after_p = np.array([0.05, 0.10, 0.25, 0.35, 0.25])
    truth = float(np.arange(1, 6) @ (after_p - before_p))
    hits = []
    for before, after in zip(
        rng.multinomial(50, before_p, size=DRAWS),
        rng.multinomial(70, after_p, size=DRAWS),
        strict=True,
    ):
        moved = difference(
            mean_from_counts(dict(zip(range(1, 6), map(int, after), strict=True))),
            mean_from_counts(dict(zip(range(1, 6), map(int, before), strict=True))),
        )
        hits.append(moved.low <= truth <= moved.high)
    assert 0.93 <= coverage(hits) <= 0.97
