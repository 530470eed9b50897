"""The figures of a satisfaction map: per lens and moment, and the gaps between two lenses.

Free of Django like the rest of ``analytics``. A lens's satisfaction on a moment is a mean
on the 1-5 scale with its t interval; its "moment of truth" share has a Wilson interval;
emotions give a mean valence (-2 to 2) and the dominant emotion. Gaps compare two lenses:

- two groups of respondents (employees vs customers, employees vs pooled managers when
  estimates are anonymous): Welch's t interval for means, Newcombe's hybrid score interval
  (method 10) for shares, from ``analytics.estimates``;
- a group against one attributed estimate (a manager's judgement for their own unit): the
  estimate is a fixed value, not a sample, so the interval is the group's own interval
  shifted by it (t interval of the mean, Wilson interval of the share).

``docs/journeys.md`` states these choices; ``tests/analytics/test_maps.py`` checks them
against a hand-computed case and SciPy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from miroir.analytics.estimates import (
    MeanEstimate,
    ShareEstimate,
    difference,
    mean_from_counts,
    share_from_counts,
)

SATISFACTION_SCALE = (1, 2, 3, 4, 5)

# The bundled six-emotion scale, in the order forms show it, with each emotion's valence.
EMOTIONS: dict[str, int] = {
    "joy": 2,
    "trust": 1,
    "surprise": 0,
    "worry": -1,
    "frustration": -2,
    "anger": -2,
}

# A moment is "one side's moment of truth" when that side's share reaches this and the other's
# stays below it.
TRUTH_MAJORITY = 0.5


@dataclass(frozen=True)
class MomentFigures:
    """What one lens says of one moment."""

    satisfaction: MeanEstimate
    truth: ShareEstimate
    valence: float | None
    dominant_emotion: str | None


@dataclass(frozen=True)
class Gap:
    """``a`` minus ``b`` with its interval; ``significant`` when the interval excludes 0."""

    value: float | None
    low: float | None
    high: float | None
    significant: bool
    method: str


@dataclass(frozen=True)
class Rating:
    """One respondent's rating of one moment (any part may be missing)."""

    satisfaction: int | None
    emotion: str | None
    truth: bool | None


def moment_figures(ratings: Sequence[Rating]) -> MomentFigures:
    """Return one lens's figures on a moment from its respondents' ratings."""
    scores = Counter(r.satisfaction for r in ratings if r.satisfaction is not None)
    for score in scores:
        if score not in SATISFACTION_SCALE:
            raise ValueError(f"satisfaction {score!r} is not on the 1-5 scale")
    truths = [r.truth for r in ratings if r.truth is not None]
    emotions = [r.emotion for r in ratings if r.emotion]
    unknown = sorted(set(emotions) - set(EMOTIONS))
    if unknown:
        raise ValueError(f"unknown emotions: {', '.join(unknown)}")
    return MomentFigures(
        satisfaction=mean_from_counts(dict(scores)),
        truth=share_from_counts(count=sum(truths), n=len(truths)),
        valence=sum(EMOTIONS[e] for e in emotions) / len(emotions) if emotions else None,
        dominant_emotion=dominant_emotion(emotions),
    )


def dominant_emotion(emotions: Sequence[str]) -> str | None:
    """Return the most frequent emotion; a tie goes to the emotion listed first in the scale."""
    if not emotions:
        return None
    counts = Counter(emotions)
    return max(EMOTIONS, key=lambda emotion: (counts[emotion], -list(EMOTIONS).index(emotion)))


def _shifted(value: float | None, low: float | None, high: float | None, by: float) -> Gap:
    if value is None:
        return Gap(None, None, None, False, "")
    if low is None or high is None:
        return Gap(value - by, None, None, False, "fixed reference")
    low, high = low - by, high - by
    return Gap(value - by, low, high, low > 0 or high < 0, "fixed reference")


def satisfaction_gap(a: MeanEstimate, b: MeanEstimate, *, b_attributed: bool = False) -> Gap:
    """Return the gap ``a`` minus ``b`` in satisfaction points (Welch, or ``b`` fixed)."""
    if a.value is None or b.value is None:
        return Gap(None, None, None, False, "")
    if b_attributed:
        gap = _shifted(a.value, a.low, a.high, b.value)
        return Gap(gap.value, gap.low, gap.high, gap.significant, "t interval, fixed estimate")
    found = difference(a, b)
    return Gap(found.value, found.low, found.high, found.significant, found.method)


def truth_gap(a: ShareEstimate, b: ShareEstimate, *, b_attributed: bool = False) -> Gap:
    """Return the gap ``a`` minus ``b`` in moment-of-truth shares (Newcombe, or ``b`` fixed)."""
    if a.value is None or b.value is None:
        return Gap(None, None, None, False, "")
    if b_attributed:
        gap = _shifted(a.value, a.low, a.high, b.value)
        return Gap(gap.value, gap.low, gap.high, gap.significant, "Wilson, fixed estimate")
    found = difference(a, b)
    return Gap(found.value, found.low, found.high, found.significant, found.method)


def one_sided_truth(a: ShareEstimate, b: ShareEstimate) -> str | None:
    """Return ``"a"`` or ``"b"`` when only that side calls the moment a moment of truth."""
    if a.value is None or b.value is None:
        return None
    a_says, b_says = a.value >= TRUTH_MAJORITY, b.value >= TRUTH_MAJORITY
    if a_says == b_says:
        return None
    return "a" if a_says else "b"
