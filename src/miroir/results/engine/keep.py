"""What this process keeps between requests, and when it is still true.

Kept here, bounded, behind one lock:

- releases, by what they were computed from (``build.Inputs``), with the roll-ups'
  fingerprint they stand for; least recently used first out (``MIROIR_RESULTS_KEPT_RELEASES``);
- the organisation's tree, until the units table changes;
- network-wide listening reads (people, invitations, voices), for the refresh time;
- linkages, by the releases they were computed from.

The freshness rules, in one place (``release``): a kept release is reused when nothing
it was computed from has changed. When only responses may have been added since, it is
reused without looking for ``MIROIR_RESULTS_REFRESH_SECONDS`` after it was last found
current (figures a minute old rather than a recount per page under steady intake); then,
if the roll-ups did change, it is recounted in a background thread
(``MIROIR_RESULTS_RECOUNT_IN_BACKGROUND``) while the kept one is still served, or at once.
Anything else (the tree, a threshold, the daily snapshot, an opened or closed wave)
recomputes it at once. What is not kept here is asked of ``engine.share``, then built.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.utils import timezone

from miroir.results.engine import build, share
from miroir.results.engine.build import Counted, Inputs, WaveFacts
from miroir.results.engine.release import Release
from miroir.results.engine.tree import Tree, tree_fingerprint, tree_read
from miroir.results.periods import Period

logger = logging.getLogger(__name__)

T = TypeVar("T")

_LOCK = threading.Lock()
# Releases: key → (data fingerprint, release). A release of 2,000 shops weighs a few MB.
_RELEASES: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Release]] = OrderedDict()
# The tree this process read last, with the fingerprint of the units table it was read at.
_TREE: list[tuple[tuple[Any, ...], Tree]] = []
# Network-wide reads: key → (when read, value).
_NETWORK_READS: dict[tuple[Any, ...], tuple[float, Any]] = {}
_NETWORK_READS_KEPT = 256
# Linkages by unit, period, level, tree and the serials of the releases read.
_LINKAGES: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_LINKAGES_KEPT = 32
# Releases being recounted in a thread (one thread at a time per release).
_RECOUNTING: set[tuple[Any, ...]] = set()


def _refresh() -> float:
    """Return how long (seconds) what was found current is reused without looking."""
    return float(settings.MIROIR_RESULTS_REFRESH_SECONDS)


def forget() -> None:
    """Drop everything this process keeps (tests; after restoring a backup)."""
    with _LOCK:
        _RELEASES.clear()
        _TREE.clear()
        _NETWORK_READS.clear()
        _LINKAGES.clear()


def forget_linkages() -> None:
    """Drop the linkages this process keeps, not the releases (to time their computation)."""
    with _LOCK:
        _LINKAGES.clear()


def kept_releases() -> list[Release]:
    """Return the releases this process keeps, least recently used first."""
    with _LOCK:
        return [found for _data, found in _RELEASES.values()]


def age(seconds: float) -> None:
    """Make what this process keeps look ``seconds`` older, as if that time had passed."""
    with _LOCK:
        for _data, found in _RELEASES.values():
            if found.checked_at is not None:
                found.checked_at -= timedelta(seconds=seconds)
        for key, (when, value) in list(_NETWORK_READS.items()):
            _NETWORK_READS[key] = (when - seconds, value)


def tree() -> Tree:
    """Return the organisation's tree, read again only when the units table changed."""
    fingerprint = tree_fingerprint()
    with _LOCK:
        if _TREE and _TREE[0][0] == fingerprint:
            return _TREE[0][1]
    found = tree_read()
    with _LOCK:
        _TREE[:] = [(fingerprint, found)]
    return found


def network_read(key: tuple[Any, ...], read: Callable[[], T]) -> T:
    """Return ``read()``, or what it returned less than the refresh time ago."""
    refresh = _refresh()
    now = time.monotonic()
    with _LOCK:
        kept = _NETWORK_READS.get(key)
    if kept is not None and 0 <= now - kept[0] < refresh:
        value: T = kept[1]
        return value
    value = read()
    with _LOCK:
        if len(_NETWORK_READS) > _NETWORK_READS_KEPT:  # old periods and trees: start afresh
            _NETWORK_READS.clear()
        _NETWORK_READS[key] = (now, value)
    return value


def linkage(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """Return the linkage kept under ``key``, or compute and keep it."""
    with _LOCK:
        found = _LINKAGES.get(key)
        if found is not None:
            _LINKAGES.move_to_end(key)
            kept: T = found
            return kept
    result = compute()
    with _LOCK:
        _LINKAGES[key] = result
        while len(_LINKAGES) > _LINKAGES_KEPT:
            _LINKAGES.popitem(last=False)
    return result


def release(
    *,
    lens: str,
    period: Period,
    segments: bool,
    today: date,
    tree: Tree,
    waves: dict[int, WaveFacts],
) -> Release:
    """Return the release, reusing the one this process keeps while it is still true."""
    inputs = build.release_inputs(lens, period, segments, waves, today, tree.signature)
    refresh = _refresh()
    now = timezone.now()
    with _LOCK:
        kept = _RELEASES.get(inputs.key)
        if kept is not None:
            _RELEASES.move_to_end(inputs.key)
    if kept is not None and build.thresholds_hold(kept[1], waves):
        data, found = kept
        if found.checked_at is not None and 0 <= (now - found.checked_at).total_seconds() < refresh:
            return found
        counted = build.release_counted(lens, period)
        if counted.data == data:
            found.checked_at = now
            return found
        if settings.MIROIR_RESULTS_RECOUNT_IN_BACKGROUND and refresh > 0:
            # Served as it is for one more refresh time, while a thread recounts it.
            found.checked_at = now
            _recount_later(inputs.key, lens, period, segments, today)
            return found
    else:
        counted = build.release_counted(lens, period)
    return _count(tree, waves, inputs, counted)


def _count(tree: Tree, waves: dict[int, WaveFacts], inputs: Inputs, counted: Counted) -> Release:
    """Return the release read from another process or built, and keep it."""
    found, data = share.shared_release(
        tree=tree, waves=waves, inputs=inputs, counted=counted, refresh=_refresh()
    )
    _keep(inputs.key, data, found)
    return found


def _keep(key: tuple[Any, ...], data: tuple[Any, ...], found: Release) -> None:
    limit = max(1, int(settings.MIROIR_RESULTS_KEPT_RELEASES))
    with _LOCK:
        _RELEASES[key] = (data, found)
        _RELEASES.move_to_end(key)
        while len(_RELEASES) > limit:
            _RELEASES.popitem(last=False)


def _recount_later(
    key: tuple[Any, ...], lens: str, period: Period, segments: bool, today: date
) -> None:
    """Recount a kept release in a thread of its own (one at a time per release)."""
    with _LOCK:
        if key in _RECOUNTING:
            return
        _RECOUNTING.add(key)
    thread = threading.Thread(
        target=_recount,
        args=(key, lens, period, segments, today),
        name=f"miroir-recount-{lens}-{period.label}",
        daemon=True,
    )
    thread.start()


def _recount(key: tuple[Any, ...], lens: str, period: Period, segments: bool, today: date) -> None:
    try:
        current, waves = tree(), build.waves_read()
        inputs = build.release_inputs(lens, period, segments, waves, today, current.signature)
        if inputs.key == key:  # otherwise the next request recomputes it under its new key
            _count(current, waves, inputs, build.release_counted(lens, period))
    except Exception:  # the kept release stays served; the next refresh tries again
        logger.exception("Could not recount the %s results of %s", lens, period.label)
    finally:
        with _LOCK:
            _RECOUNTING.discard(key)
        connection.close()
