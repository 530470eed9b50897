"""THE privacy gate: what may leave the system, for pages, API, exports, charts, board, digest.

Every aggregate or verbatim Miroir shows passes through this module; selectors in
``miroir.results.selectors`` call it and nothing else decides visibility. The rules
(DESIGN.md, issue 4, ``docs/anonymity.md``):

- **Thresholds.** Employee, partner and management figures need at least
  ``score_threshold`` respondents: ``MIROIR_ANONYMITY_THRESHOLD`` (default 5, never below
  3), raised to the highest threshold of the waves pooled (a wave's thresholds only go
  up once it starts: ``collect.services.wave_raise_thresholds``). Customers have their
  own, ``MIROIR_CUSTOMER_THRESHOLD`` (default 1). Verbatims need ``verbatim_threshold``
  respondents (``MIROIR_VERBATIM_THRESHOLD``, default 10, never below the score one).
- **One marker.** A hidden figure is ``SUPPRESSED`` whatever the hidden count, 0
  included: the marker says nothing of how many are behind it.
- **Complementary suppression** (``release_tree``). In a family of nested groups (a
  unit and its subtree), each visible group's *residue* — its count minus the counts
  of the nearest visible groups inside it — is what a subtraction reveals; it must be 0
  or at least the threshold. Otherwise the smallest visible group inside it whose own
  residue is positive is hidden too (the "next smallest sibling"), or the group itself
  when there is none, until every residue is safe. Residues of different visible groups
  are disjoint and every released figure is a sum of residues, so any combination of
  released figures reveals only unions of groups of at least the threshold.
- **Segments** (``release_crossed``): figures by contract type, proximity or moment
  cross the unit tree. Each segment value is its own tree under the same rule, a
  unit's segment figures show only where its total shows, and within a unit the part
  the visible segments leave unexplained (total minus visible segments, "no attribute"
  included) must be 0 or at least the threshold.
- **Periods.** Results are released at one grain only (``periods.release_grain``), so
  no two released periods overlap and none can be subtracted from another.
- **Timing.** An open wave of the organisation's lenses is counted up to the end of the
  previous day (``snapshot_day``), and each unit's figures hold its respondents up to its
  own release day (``release_days``): the last day at which at least the threshold of new
  respondents had arrived since its previous one. Two releases, whenever made (daily, at a
  wave's close, after a raised threshold), differ at a unit by nobody or by at least the
  threshold.
- **A reader inside the group** (``hidden_from_member``): a member counted in a group
  sees it only when the part of the figures they are in holds more than the threshold.
- **Verbatims** (``verbatims``) show only for groups of at least the verbatim threshold
  under the same complementary rule, in an order unrelated to arrival, dated by their
  wave only, and pass through ``redact`` (names removed) on their way out.
- **Counts derived from comments** (``comment_counts``): themes and sentiments of a
  group's comments, at the verbatim threshold, each count shown only from the threshold.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Generic, TypeVar

from django.conf import settings

from miroir.core.checks import MINIMUM_ANONYMITY_THRESHOLD
from miroir.org.models import Lens

# A group of a family the gate decides on: a unit id, or a (unit id, segment value) cell.
K = TypeVar("K", bound=Hashable)
Key = Hashable


class _Suppressed:
    """The one marker of a hidden figure: the same object whatever is behind it."""

    _instance: _Suppressed | None = None

    def __new__(cls) -> _Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __bool__(self) -> bool:
        return False


SUPPRESSED: Final = _Suppressed()


# -- thresholds -----------------------------------------------------------------------------


def protects_identity(lens: str) -> bool:
    """Return whether the lens speaks for people of the organisation (not customers)."""
    return lens != Lens.CUSTOMER


def score_threshold(lens: str, wave_thresholds: Iterable[int] = ()) -> int:
    """Return the fewest respondents a figure of ``lens`` may be shown over.

    ``wave_thresholds`` are the ``threshold_scores`` of the waves pooled in the figure;
    the highest wins. Customers use ``MIROIR_CUSTOMER_THRESHOLD`` (at least 1).
    """
    if not protects_identity(lens):
        return max(1, int(settings.MIROIR_CUSTOMER_THRESHOLD))
    floor = max(MINIMUM_ANONYMITY_THRESHOLD, int(settings.MIROIR_ANONYMITY_THRESHOLD))
    return max([floor, *(int(value) for value in wave_thresholds)])


def verbatim_threshold(lens: str, wave_thresholds: Iterable[int] = ()) -> int:
    """Return the fewest respondents a group's verbatims may be shown for.

    ``wave_thresholds`` are the pooled waves' ``threshold_verbatims``. Never below the
    score threshold of the lens; customers too keep at least the score floor (3), since a
    comment can name its author where a score cannot.
    """
    floor = max(
        MINIMUM_ANONYMITY_THRESHOLD,
        int(settings.MIROIR_ANONYMITY_THRESHOLD),
        int(settings.MIROIR_VERBATIM_THRESHOLD),
    )
    if not protects_identity(lens):
        floor = max(score_threshold(lens), MINIMUM_ANONYMITY_THRESHOLD)
    return max([floor, *(int(value) for value in wave_thresholds)])


def snapshot_day(lens: str, *, has_open_wave: bool, today: date) -> date | None:
    """Return the last day results of ``lens`` may include, or None for everything so far.

    While a wave of the organisation's lenses is open, what is shown stops at the end of
    the previous day (a daily snapshot), as the participation counts do in ``collect``.
    """
    if protects_identity(lens) and has_open_wave:
        return today - timedelta(days=1)
    return None


# -- release days: figures that move only by groups of at least the threshold ---------------

Counts = Mapping[date, int]


def _cumulative(days: Counts) -> tuple[list[date], list[int]]:
    ordered = sorted(day for day, count in days.items() if count)
    running, sums = 0, []
    for day in ordered:
        running += days[day]
        sums.append(running)
    return ordered, sums


def _up_to(cumulative: tuple[list[date], list[int]], day: date) -> int:
    ordered, sums = cumulative
    index = bisect.bisect_right(ordered, day)
    return sums[index - 1] if index else 0


def release_days(
    counts: Mapping[K, Counts],
    within: Mapping[K, Sequence[K]],
    thresholds: Iterable[int],
    *,
    floor: int = MINIMUM_ANONYMITY_THRESHOLD,
) -> dict[int, dict[K, date | None]]:
    """Return, per threshold, the last day each group's figures may include (None: none).

    ``counts`` gives each group's respondents per day (a unit: its whole subtree; a unit x
    segment: its subtree's respondents of that segment); ``within`` names the groups each
    group lies in (its parent unit, and for a segment the same segment one level up and its
    unit's total), which must appear before it in ``counts``'s order (top-down). A group
    *steps* on a day when at least the threshold of respondents arrived since its previous
    step; its figures are those of its respondents up to its last step. So two releases of
    a group differ by whole steps: by nobody or by at least the threshold.

    The steps are *nested*: a group steps only on days when every group it lies in steps
    (so within one release a unit's figures hold those of every unit below it, and the
    complementary suppression counts real sets), and the steps at a threshold are among
    the steps at every lower one (computed from ``floor`` up), so that a raised threshold
    moves a figure only back to one of its earlier steps: a release after the raise differs
    from one before it by at least the older threshold, and from other releases after it by
    at least the new one. The steps depend only on the responses' days, up to the last day
    counted: the same answers always give the same days, in any process, after a restart,
    and a later day never changes an earlier step.
    """
    wanted = sorted(set(thresholds))
    if not wanted:
        return {}
    low = min(floor, wanted[0])
    if low < 1:
        raise ValueError(f"a threshold is at least 1, got {low}")
    cumulative = {key: _cumulative(days) for key, days in counts.items()}
    steps: dict[K, list[date]] = {}
    found: dict[int, dict[K, date | None]] = {}
    for threshold in range(low, wanted[-1] + 1):
        current: dict[K, list[date]] = {}
        for key in counts:
            candidates = set(steps[key]) if threshold > low else set(cumulative[key][0])
            for outer in within.get(key, ()):
                candidates &= set(current.get(outer, ()))
            stepped, last = [], 0
            for day in sorted(candidates):
                reached = _up_to(cumulative[key], day)
                if reached - last >= threshold:
                    stepped.append(day)
                    last = reached
            current[key] = stepped
        steps = current
        if threshold in wanted:
            found[threshold] = {key: (days[-1] if days else None) for key, days in steps.items()}
    return found


# -- complementary suppression --------------------------------------------------------------


def _children(parents: Mapping[K, K | None]) -> dict[K, list[K]]:
    children: dict[K, list[K]] = {key: [] for key in parents}
    for key, parent in parents.items():
        if parent is not None and parent in children:
            children[parent].append(key)
    for group in children.values():
        group.sort(key=repr)
    return children


@dataclass(frozen=True)
class Shape(Generic[K]):
    """A family's children (ordered by name) and depths, worked out once for many gatings."""

    children: dict[K, list[K]]
    depth: dict[K, int]


def shape_of(parents: Mapping[K, K | None]) -> Shape[K]:
    """Return the shape ``release_tree`` needs of a family (pass it when gating it often)."""
    depth: dict[K, int] = {}
    for key in parents:
        level, parent = 0, parents[key]
        while parent is not None:
            level, parent = level + 1, parents.get(parent)
        depth[key] = level
    return Shape(_children(parents), depth)


def release_tree(
    parents: Mapping[K, K | None],
    counts: Mapping[K, int],
    threshold: int,
    *,
    hidden: Iterable[K] = (),
    shape: Shape[K] | None = None,
) -> frozenset[K]:
    """Return the groups of a nested family that may be shown.

    ``parents`` maps each group to the group holding it (None at the top); ``counts``
    gives each group's respondents, its whole subtree included (a parent may count more
    than its children: people attached to it directly). ``hidden`` are groups to hide
    whatever their count. The result satisfies: every visible group counts at least
    ``threshold``, and every visible group's residue is 0 or at least ``threshold``.
    """
    if threshold < 1:
        raise ValueError(f"a threshold is at least 1, got {threshold}")
    forced = set(hidden)
    visible = {key for key in parents if key not in forced and counts.get(key, 0) >= threshold}
    if threshold == 1:
        return frozenset(visible)
    shape = shape or shape_of(parents)
    children, depth = shape.children, shape.depth

    def frontier(key: K) -> list[K]:
        found: list[K] = []
        stack = list(reversed(children[key]))
        while stack:
            child = stack.pop()
            if child in visible:
                found.append(child)
            else:
                stack.extend(reversed(children[child]))
        return found

    def residue(key: K) -> int:
        return counts.get(key, 0) - sum(counts.get(inner, 0) for inner in frontier(key))

    def visible_ancestor(key: K) -> K | None:
        parent = parents.get(key)
        while parent is not None and parent not in visible:
            parent = parents.get(parent)
        return parent

    # Top-down, so that a parent's fix is made before its children are looked at.
    work = sorted(visible, key=lambda key: (depth[key], repr(key)), reverse=True)
    while work:
        key = work.pop()
        if key not in visible:
            continue
        left = residue(key)
        if left == 0 or left >= threshold:
            continue
        candidates = sorted(
            (inner for inner in frontier(key) if residue(inner) > 0),
            key=lambda inner: (counts.get(inner, 0), repr(inner)),
        )
        if candidates:
            visible.discard(candidates[0])
            work.append(key)
        else:
            visible.discard(key)
            above = visible_ancestor(key)
            if above is not None:
                work.append(above)
    return frozenset(visible)


def _frontier(children: Mapping[K, list[K]], visible: Iterable[K], key: K) -> list[K]:
    """Return the nearest visible groups inside ``key`` (looking through hidden ones)."""
    shown = set(visible)
    found: list[K] = []
    stack = list(reversed(children[key]))
    while stack:
        child = stack.pop()
        if child in shown:
            found.append(child)
        else:
            stack.extend(reversed(children[child]))
    return found


def _with_ancestors(parents: Mapping[K, K | None], keys: Iterable[K]) -> set[K]:
    """Return ``keys`` and every group above them."""
    found: set[K] = set()
    for key in keys:
        at: K | None = key
        while at is not None and at not in found and at in parents:
            found.add(at)
            at = parents[at]
    return found


def release_crossed(
    parents: Mapping[K, K | None],
    totals: Mapping[K, int],
    cells: Mapping[tuple[K, str], int],
    threshold: int,
    *,
    hidden: Iterable[tuple[K, str]] = (),
) -> tuple[frozenset[K], frozenset[tuple[K, str]]]:
    """Return the visible groups and the visible (group, segment) cells of a crossed family.

    ``totals`` are the groups' counts (every segment, "no attribute" included); ``cells``
    the counts by segment value (never the "no attribute" part, which is not shown);
    ``hidden`` are cells to hide whatever their count.

    On top of the tree rule for totals and for each segment value, two rules keep every
    released figure a sum of disjoint safe pieces: a visible cell (V, s) is *aligned* —
    each nearest visible total below V has its own (W, s) cell visible, or none of s —
    so that what (V, s) adds lies inside V's own residue; and within that residue, what
    the visible segments leave unexplained is 0 or at least the threshold.

    Cells are hidden one at a time, the first misaligned cell (segments in order, groups
    by name) before the first unexplained residue (groups by name), until none is left.
    Each step changes one segment's visible cells only, so only that segment's tree is
    gated again and only the groups whose cell changed are looked at again: on a network
    of thousands of units this is what keeps the rule affordable.
    """
    shown_totals = release_tree(parents, totals, threshold)
    forced = set(hidden)
    if threshold == 1:
        return shown_totals, frozenset(
            key
            for key, count in cells.items()
            if count >= 1 and key[0] in shown_totals and key not in forced
        )
    children = _children(parents)
    segments = sorted({segment for _, segment in cells})
    frontier_totals = {key: _frontier(children, shown_totals, key) for key in shown_totals}
    residue_totals = {
        key: totals.get(key, 0) - sum(totals.get(inner, 0) for inner in frontier_totals[key])
        for key in shown_totals
    }
    # Each segment is gated over the groups that hold some of it and those above them:
    # a group with none below it is never shown and hides nothing.
    families: dict[str, dict[K, K | None]] = {}
    counts: dict[str, dict[K, int]] = {}
    shapes: dict[str, Shape] = {}
    blocked: dict[str, set[K]] = {}
    for segment in segments:
        inside = _with_ancestors(parents, (k for (k, s), n in cells.items() if s == segment and n))
        families[segment] = {key: parents[key] for key in parents if key in inside}
        shapes[segment] = shape_of(families[segment])
        counts[segment] = {key: cells.get((key, segment), 0) for key in families[segment]}
        blocked[segment] = {
            key for key in families[segment] if key not in shown_totals or (key, segment) in forced
        }

    def gated(segment: str) -> frozenset[K]:
        return release_tree(
            families[segment],
            counts[segment],
            threshold,
            hidden=blocked[segment],
            shape=shapes[segment],
        )

    shown = {segment: gated(segment) for segment in segments}
    inner_sums = {
        (key, segment): sum(cells.get((w, segment), 0) for w in frontier_totals[key])
        for key in frontier_totals
        for segment in segments
    }

    def unexplained(key: K) -> tuple[int, str] | None:
        pieces = [
            (cells.get((key, segment), 0) - inner_sums[(key, segment)], segment)
            for segment in segments
            if key in shown[segment]
        ]
        left = residue_totals[key] - sum(piece for piece, _ in pieces)
        if pieces and 0 < left < threshold:
            return min([piece for piece in pieces if piece[0] > 0] or pieces)
        return None

    order = {key: rank for rank, key in enumerate(sorted(frontier_totals, key=repr))}
    offending = {key for key in frontier_totals if unexplained(key) is not None}
    unchecked = set(segments)  # segments whose alignment may have changed
    while True:
        block = None
        for segment in segments:
            if segment not in unchecked:
                continue
            found = _misaligned_in(frontier_totals, cells, shown[segment], segment)
            if found is not None:
                block = (found, segment)
                break
            unchecked.discard(segment)
        if block is None and offending:
            key = min(offending, key=order.__getitem__)
            piece = unexplained(key)
            if piece is not None:
                block = (key, piece[1])
        if block is None:
            break
        key, segment = block
        blocked[segment].add(key)
        before, shown[segment] = shown[segment], gated(segment)
        unchecked.add(segment)
        for changed in before ^ shown[segment]:
            if changed in frontier_totals:
                if unexplained(changed) is None:
                    offending.discard(changed)
                else:
                    offending.add(changed)
    released = frozenset(
        (key, segment) for segment in segments for key in shown.get(segment, frozenset())
    )
    return shown_totals, released


def _misaligned_in(
    frontier_totals: Mapping[K, list[K]],
    cells: Mapping[tuple[K, str], int],
    shown: frozenset[K],
    segment: str,
) -> K | None:
    """Return the first visible group of ``segment`` whose visible totals below lack its cell."""
    for key in sorted(shown, key=repr):
        for inner in frontier_totals.get(key, ()):
            if cells.get((inner, segment), 0) > 0 and inner not in shown:
                return key
    return None


# -- a reader inside the group --------------------------------------------------------------


def hidden_from_member(
    children: Mapping[K, Sequence[K]],
    lineage: Sequence[K],
    count: Callable[[K], int],
    visible: Callable[[K], bool],
    threshold: int,
) -> set[K]:
    """Return the groups to hide, on top of the release, from a reader who belongs to them.

    ``lineage`` is the reader's own unit and every unit above it, bottom-up. A reader
    counted in a group can take their own answers out of its figure, so the part of the
    released figures they are in — the *residue* of the lowest visible group holding them:
    its count minus those of the nearest visible groups below it — must hold at least
    ``threshold + 1`` respondents (or none: then they did not answer). Otherwise that group
    is hidden from them and the residue of the next visible group above is looked at, now
    holding both. Residues of other groups are unchanged, and every figure is a sum of
    residues, so what the reader can isolate, themselves taken out, counts at least the
    threshold.
    """
    hidden: set[K] = set()
    for holder in lineage:
        if not visible(holder):
            continue
        below, stack = 0, list(children.get(holder, ()))
        while stack:
            child = stack.pop()
            if visible(child) and child not in hidden:
                below += count(child)
            else:
                stack.extend(children.get(child, ()))
        if not 0 < count(holder) - below <= threshold:
            break
        hidden.add(holder)
    return hidden


# -- verbatims ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verbatim:
    """One comment as it may be shown: its text (names removed) and its wave, nothing else."""

    text: str
    wave: str
    period: str


@dataclass(frozen=True)
class VerbatimRelease:
    """The verbatims of one group, or ``suppressed`` with none when the group is too small."""

    suppressed: bool
    threshold: int
    verbatims: tuple[Verbatim, ...]
    # Set when the group was large enough but redaction could not run (nothing shown).
    withheld: str = ""
    # How many comments the group has in all, when only ``limit`` of them were kept.
    total: int | None = None


# The single place where name redaction plugs in: every verbatim that leaves the system
# goes through ``redact_all`` in ``verbatims`` below. By default it is the ``text`` app's
# ``redact_many`` (member names, names its French model finds, e-mails, phones).
Redactor = Callable[[Sequence[str], Sequence[str], str], list[str]]


def _text_app_redaction(texts: Sequence[str], names: Sequence[str], language: str) -> list[str]:
    from miroir.text import MemberNames, redact_many

    return redact_many(list(texts), names=MemberNames(list(names)), language=language)


_redactor: Redactor = _text_app_redaction


def redactor_install(function: Redactor) -> Redactor:
    """Make ``function`` the redaction every verbatim goes through; returns the previous one."""
    global _redactor
    previous, _redactor = _redactor, function
    return previous


def redact_all(
    texts: Sequence[str], *, names: Sequence[str] = (), language: str = "fr"
) -> list[str]:
    """Return the texts with people's names (``names`` and any found) removed, in order."""
    if not texts:
        return []
    return _redactor(texts, names, language if language in ("fr", "en") else "fr")


def _shuffle_key(identifier: str) -> str:
    # Keyed by the site's secret, so the order says nothing of arrival and is stable.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{identifier}".encode()).hexdigest()


def verbatims(
    rows: Sequence[tuple[str, str, str, str]],
    *,
    visible: bool,
    threshold: int,
    names: Sequence[str] = (),
    language: str = "fr",
    limit: int | None = None,
) -> VerbatimRelease:
    """Return what may be shown of a group's comments.

    ``rows`` are (answer id, text, wave name, period label); ``visible`` is whether the
    group passed ``release_tree`` at the verbatim threshold; ``names`` the organisation's
    member names to remove. Texts come back shuffled (by a keyed hash of the answer id),
    dated by their wave only, and redacted. If redaction cannot run, nothing is shown
    (``withheld`` says why): a comment is never released with its names in it. With
    ``limit``, only the first ``limit`` of that order are kept (a sample unrelated to
    arrival; only those are redacted) and ``total`` says how many there are.
    """
    if not visible:
        return VerbatimRelease(True, threshold, ())
    ordered = sorted(rows, key=lambda row: _shuffle_key(row[0]))
    total = len(ordered) if limit is not None and len(ordered) > limit else None
    if total is not None:
        ordered = ordered[:limit]
    try:
        texts = redact_all([row[1] for row in ordered], names=names, language=language)
    except Exception as error:  # fail closed, whatever went wrong
        return VerbatimRelease(True, threshold, (), withheld=type(error).__name__)
    return VerbatimRelease(
        False,
        threshold,
        tuple(
            Verbatim(text, wave, period)
            for text, (_, _, wave, period) in zip(texts, ordered, strict=True)
        ),
        total=total,
    )


@dataclass(frozen=True)
class Comment:
    """One analysed comment as it may be shown: names removed, themes and sentiment, wave."""

    text: str
    wave: str
    period: str
    themes: tuple[str, ...]
    sentiment: str


def comments(
    rows: Sequence[tuple[str, str, str, str, Sequence[str], str]],
    *,
    visible: bool,
    limit: int,
) -> tuple[Comment, ...]:
    """Return what may be shown of a group's analysed comments, at most ``limit`` of them.

    ``rows`` are (answer id, redacted text, wave name, period label, themes, sentiment),
    read only from comments the background analysis redacted (a comment it has not
    redacted has no row: it stays hidden). ``visible`` is whether the group passed the
    verbatim threshold. The order is the keyed shuffle of ``verbatims``, unrelated to arrival.
    """
    if not visible:
        return ()
    ordered = sorted(rows, key=lambda row: _shuffle_key(row[0]))[:limit]
    return tuple(
        Comment(text, wave, period, tuple(themes), sentiment)
        for _, text, wave, period, themes, sentiment in ordered
    )


def comment_counts(
    counts: Mapping[K, int], *, visible: bool, threshold: int, partition: bool
) -> dict[K, int | _Suppressed]:
    """Return the counts of respondents derived from a group's comments that may be shown.

    ``counts`` are, per theme or per sentiment, how many comments of the group have it;
    ``visible`` is whether the group's verbatims may be shown at all. A count below
    ``threshold`` is hidden, 0 included. With ``partition`` (the keys split the comments,
    as sentiments do, and their total is shown), the hidden counts together must also be
    0 or at least the threshold, else the smallest shown count is hidden too, so that no
    subtraction from the total reveals a smaller group. Themes overlap (a comment may
    mention several), so there is no total to subtract them from.
    """
    if not visible:
        return {key: SUPPRESSED for key in counts}
    hidden = {key for key, count in counts.items() if count < threshold}
    if partition:
        while hidden and 0 < sum(counts[key] for key in hidden) < threshold:
            shown = [key for key in counts if key not in hidden]
            if not shown:
                break
            hidden.add(min(shown, key=lambda key: counts[key]))
    return {key: SUPPRESSED if key in hidden else count for key, count in counts.items()}


def released(value: Any, visible: bool) -> Any:
    """Return ``value`` when it may be shown, else the marker."""
    return value if visible else SUPPRESSED
