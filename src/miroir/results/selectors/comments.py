"""Survey comments read as a whole: themes with their counts and trend, sentiment, search.

Everything comes from the comments the background analysis redacted
(``results.models.CommentAnalysis``) in the group ``verbatims.group_answers`` releases
at the verbatim threshold; every count passes ``gate.comment_counts`` and every text
``gate.comments``. A comment not analysed yet is in no count and no list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from miroir.org.models import Unit
from miroir.results import gate
from miroir.results.engine.context import context
from miroir.results.models import CommentAnalysis
from miroir.results.periods import Period
from miroir.results.selectors.units import check_lens_subject
from miroir.results.selectors.verbatims import group_answers
from miroir.text import SENTIMENTS
from miroir.text.tokens import fold

# Comments listed on a page or in one API answer.
COMMENTS_SHOWN = 50
# Themes followed period by period in the trend.
THEMES_FOLLOWED = 5
QUERY_MAX = 100


@dataclass(frozen=True)
class ThemeCount:
    """A theme of the group's comments: its code and how many comments mention it."""

    code: str
    count: int | Any


@dataclass(frozen=True)
class ThemePoint:
    """How many comments of one period mention one theme (``SUPPRESSED`` when hidden)."""

    period: str
    code: str
    count: int | Any


@dataclass(frozen=True)
class Comments:
    """A unit's survey comments of one lens and period, as the gate lets them out."""

    suppressed: bool
    threshold: int
    total: int | Any
    themes: tuple[ThemeCount, ...]
    sentiments: dict[str, int | Any]
    trend: tuple[ThemePoint, ...]
    comments: tuple[gate.Comment, ...]
    # Comments matching the search and theme (``SUPPRESSED`` under the threshold).
    matching: int | Any
    # Some comments of the group still wait for the background analysis (no count said).
    pending: bool


def _analysed(unit: Unit, lens: str, period: Period, ctx: Any) -> tuple[bool, int, list[Any], bool]:
    """Return the group's visibility, threshold, analysed comments, and whether some wait."""
    release = ctx.release(lens, period)
    visible, answers = group_answers(ctx, release, unit=unit, lens=lens, period=period)
    rows = list(
        CommentAnalysis.objects.filter(answer__in=answers.exclude(text="")).values_list(
            "answer_id", "text", "answer__response__wave__name", "themes", "sentiment"
        )
    )
    pending = visible and answers.exclude(text="").filter(analysis__isnull=True).exists()
    return visible, release.verbatim_threshold, rows, pending


def _one_count(count: int, visible: bool, threshold: int) -> int | Any:
    return gate.comment_counts({0: count}, visible=visible, threshold=threshold, partition=False)[0]


def _theme_counts(rows: Sequence[Any]) -> Counter[str]:
    return Counter(code for row in rows for code in dict.fromkeys(row[3]))


def _matches(row: Any, words: Sequence[str], theme: str) -> bool:
    if theme and theme not in row[3]:
        return False
    folded = fold(row[1])
    return all(word in folded for word in words)


def unit_comments(
    *,
    unit: Unit,
    lens: str,
    period: Period,
    periods: Sequence[Period] = (),
    query: str = "",
    theme: str = "",
    today: date | None = None,
    limit: int = COMMENTS_SHOWN,
) -> Comments:
    """Return the themes, sentiment, trend and matching comments of ``unit``'s subtree.

    ``periods`` are those of the trend (the chosen one last); ``query`` keeps the comments
    holding every word of it (in their redacted text, so a removed name finds nothing),
    ``theme`` those mentioning the theme. Counts under the verbatim threshold are hidden.
    """
    check_lens_subject(lens, "item")
    ctx = context(today)
    visible, threshold, rows, pending = _analysed(unit, lens, period, ctx)
    total = _one_count(len(rows), visible, threshold)
    counts = _theme_counts(rows)
    themes = gate.comment_counts(counts, visible=visible, threshold=threshold, partition=False)
    moods = Counter(row[4] for row in rows)
    sentiments = gate.comment_counts(
        {code: moods.get(code, 0) for code in SENTIMENTS},
        visible=visible and total is not gate.SUPPRESSED,
        threshold=threshold,
        partition=True,
    )
    shown = [code for code, _ in counts.most_common() if themes[code] is not gate.SUPPRESSED]
    trend: list[ThemePoint] = []
    for earlier in periods or (period,):
        if earlier == period:
            seen, limit_then, earlier_counts = visible, threshold, counts
        else:
            seen, limit_then, earlier_rows, _ = _analysed(unit, lens, earlier, ctx)
            earlier_counts = _theme_counts(earlier_rows)
        released = gate.comment_counts(
            {code: earlier_counts.get(code, 0) for code in shown[:THEMES_FOLLOWED]},
            visible=seen,
            threshold=limit_then,
            partition=False,
        )
        trend.extend(ThemePoint(earlier.label, code, count) for code, count in released.items())
    words = [word for word in fold(query[:QUERY_MAX]).split() if word]
    found = [row for row in rows if _matches(row, words, theme)]
    matching = _one_count(len(found), visible, threshold)
    return Comments(
        suppressed=not visible,
        threshold=threshold,
        total=total,
        themes=tuple(ThemeCount(code, themes[code]) for code in shown),
        sentiments=sentiments,
        trend=tuple(trend),
        comments=gate.comments(
            [(str(row[0]), row[1], row[2], period.label, row[3], row[4]) for row in found],
            visible=visible,
            limit=limit,
        ),
        matching=matching,
        pending=pending,
    )
