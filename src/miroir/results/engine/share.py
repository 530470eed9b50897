"""Releases shared by the server's processes: one counts a release, the others read it.

A release computed by one process is stored as bytes (``models.SharedRelease``) under a
slot: a digest of what it was computed from (``build.Inputs``) and of the code that
computes releases (``code_digest``). Another process, or this one after a restart, reads
it instead of counting it again when it stands for the same roll-ups, or when it was
counted less than the refresh time ago with the thresholds that hold now. On PostgreSQL,
processes wanting the same release wait for the one counting it (an advisory lock per
slot) rather than all counting it at once after a restart.

The code digest covers only the modules that decide what a release holds
(``RELEASE_MODULES``): editing a selector, a view or the figures' statistics does not
throw away the releases the processes share; editing the gate or the build does.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from miroir.results import gate, periods
from miroir.results.engine import build
from miroir.results.engine import release as _release
from miroir.results.engine import tally as _tally
from miroir.results.engine import tree as _tree
from miroir.results.engine.build import Counted, Inputs, WaveFacts
from miroir.results.engine.release import (
    Release,
    ReleaseFormatError,
    release_bytes,
    release_read,
)
from miroir.results.engine.tree import Tree
from miroir.results.models import SharedRelease

logger = logging.getLogger(__name__)

# The modules whose code decides what a release holds, and how it is written to bytes.
RELEASE_MODULES: tuple[ModuleType, ...] = (gate, periods, _tally, _release, _tree, build)

# Advisory lock class of shared releases (PostgreSQL): one process counts, the others wait.
_LOCK_CLASS = 0x4D52
# A shared release is marked as used at most this often; rows unused for _KEPT go.
_TOUCH = timedelta(hours=1)
_KEPT = timedelta(days=7)


def code_files() -> list[Path]:
    """Return the files the code digest reads (``RELEASE_MODULES``)."""
    return [Path(str(module.__file__)) for module in RELEASE_MODULES]


@functools.cache
def code_digest() -> str:
    """Return a digest of the code that computes releases: a changed rule never reads old ones."""
    digest = hashlib.sha256()
    for path in code_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _keys(inputs: Inputs, counted: Counted) -> tuple[str, str]:
    """Return the slot and data digests of a release (see ``models.SharedRelease``)."""
    slot = hashlib.sha256(f"{code_digest()}|{inputs.key!r}".encode()).hexdigest()
    data = hashlib.sha256(
        repr(
            (counted.data, counted.wave_ids, counted.threshold, counted.verbatim_threshold)
        ).encode()
    ).hexdigest()
    return slot, data


def _stored(
    slot: str, data: str, counted: Counted, waves: dict[int, WaveFacts], refresh: float
) -> tuple[Release, tuple[Any, ...]] | None:
    """Return a release another process stored under ``slot``, with the data it stands for.

    Taken when it was counted from the same roll-ups (``data``), or, under intake, when it
    was counted less than ``refresh`` seconds ago with the thresholds that hold now: the
    same freshness a process grants its own kept releases (``engine.keep``), so that the
    processes do not all recount what one of them just counted. The data returned is
    ``counted.data`` for the former and a marker that matches no reading for the latter,
    so that the next look after the refresh time counts again or finds a newer one.
    """
    now = timezone.now()
    matching = Q(data=data)
    if refresh > 0:
        matching |= Q(computed_at__gte=now - timedelta(seconds=refresh))
    row = (
        SharedRelease.objects.filter(matching, slot=slot)
        .values_list("data", "payload", "used_at")
        .first()
    )
    if row is None:
        return None
    stored_data, payload, used_at = row
    try:
        found = release_read(bytes(payload))
    except ReleaseFormatError as error:
        logger.warning("A shared release could not be read (%s); counting it again", error)
        return None
    exact = stored_data == data
    if not exact and not build.thresholds_hold(found, waves):
        return None
    found.checked_at = now
    if now - used_at > _TOUCH:
        SharedRelease.objects.filter(slot=slot).update(used_at=now)
    return found, (counted.data if exact else ("shared", stored_data))


def _store(slot: str, data: str, found: Release) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            SharedRelease.objects.update_or_create(
                slot=slot,
                defaults={
                    "data": data,
                    "payload": release_bytes(found),
                    "computed_at": found.computed_at or now,
                    "used_at": now,
                },
            )
            SharedRelease.objects.filter(used_at__lt=now - _KEPT).delete()
    except DatabaseError:
        # A read-only database, or another process storing the same slot at once: this
        # process keeps its own copy; the next one counts it again.
        logger.warning("Could not share the %s results of %s", found.lens, found.period.label)


def shared_release(
    *,
    tree: Tree,
    waves: dict[int, WaveFacts],
    inputs: Inputs,
    counted: Counted,
    refresh: float,
) -> tuple[Release, tuple[Any, ...]]:
    """Return a release another process computed, or compute and share it; with the
    roll-ups' fingerprint it stands for (``_stored`` says which stored ones are taken).
    """
    lens, period = inputs.lens, inputs.period
    slot, data = _keys(inputs, counted)
    found = _stored(slot, data, counted, waves, refresh)
    if found is not None:
        return found
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, int(slot[:7], 16)]
                )
            found = _stored(slot, data, counted, waves, refresh)
            if found is not None:
                return found
        built = build.release_build(
            tree=tree,
            lens=lens,
            period=period,
            segments=inputs.segments,
            inputs=inputs,
            counted=counted,
        )
        _store(slot, data, built)
    return built, counted.data
