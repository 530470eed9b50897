"""Kept releases: results computed once per lens and period, reused while still true."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from miroir.results import selectors
from miroir.results.engine import build, context, keep, share, stats
from miroir.results.engine.release import ReleaseFormatError, release_bytes, release_read
from miroir.results.models import SharedRelease
from miroir.results.periods import period_of
from tests.collect.support import add_employees, submit, token_for

pytestmark = pytest.mark.django_db

ITEM = "ecoute-employee"


@pytest.fixture
def builds(monkeypatch) -> list[tuple[str, str]]:
    """Return the (lens, period) of every release computed from the roll-ups, in order."""
    computed: list[tuple[str, str]] = []
    original = build.release_build

    def spy(**kwargs):
        computed.append((kwargs["lens"], kwargs["period"].label))
        return original(**kwargs)

    monkeypatch.setattr(build, "release_build", spy)
    return computed


@pytest.fixture
def second_wave(personas, make_wave, launch, answered):
    """Return (an open second employee wave, its six invited members) after ``answered``."""
    members = add_employees(personas.lille_vente, 6, prefix="Again")
    wave = launch(make_wave(name="Pulse T1 bis"))
    return wave, members


@pytest.fixture
def one_more_answered(second_wave):
    """Return (the second wave, its members, tomorrow) once its first member answered."""
    wave, members = second_wave
    submit(token_for(wave, members[0]), {ITEM: "4", "enps": "7"})
    return wave, members, timezone.localdate() + timedelta(days=1)


def unit_figure(unit, *, today):
    """Return the employee figure of ``ITEM`` at ``unit`` alone, this quarter, no change."""
    results = selectors.unit_results(
        unit=unit,
        lens="employee",
        period=period_of(timezone.localdate()),
        levels=0,
        today=today,
        with_change=False,
    )
    return results.figure(unit.pk, ITEM)


def a_refresh_time_later() -> None:
    """Age what this process keeps and what the processes share by a minute and a second."""
    keep.age(61)
    SharedRelease.objects.update(computed_at=F("computed_at") - timedelta(seconds=61))


def company_n(personas, *, today) -> int | None:
    return unit_figure(personas.company, today=today).n


def test_a_release_is_computed_once_and_reused_while_nothing_changed(
    personas, answered, builds
) -> None:
    today = timezone.localdate()
    assert company_n(personas, today=today) == 14
    assert company_n(personas, today=today) == 14
    assert builds == [("employee", period_of(today).label)]


def test_a_new_response_is_counted_at_once_when_figures_are_not_reused(
    personas, one_more_answered, builds, settings
) -> None:
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 0
    wave, members, tomorrow = one_more_answered
    assert company_n(personas, today=tomorrow) == 15
    submit(token_for(wave, members[1]), {ITEM: "2", "enps": "3"})
    assert company_n(personas, today=tomorrow) == 16
    assert len(builds) == 2


@pytest.mark.parametrize("reader", ["this process", "another process"])
def test_kept_figures_are_reused_for_the_refresh_time_then_recounted(
    personas, one_more_answered, builds, settings, reader
) -> None:
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 60
    wave, members, tomorrow = one_more_answered
    assert company_n(personas, today=tomorrow) == 15
    if reader == "another process":
        # Nothing in memory: the release shared less than a minute ago is read, not recounted.
        keep.forget()
    submit(token_for(wave, members[1]), {ITEM: "2", "enps": "3"})
    # Less than a minute later: the kept figures, not a recount.
    assert company_n(personas, today=tomorrow) == 15
    assert len(builds) == 1
    a_refresh_time_later()
    assert company_n(personas, today=tomorrow) == 16
    assert len(builds) == 2


def test_a_raised_threshold_applies_at_once_even_to_kept_figures(
    personas, answered, builds, settings
) -> None:
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 3600
    today = timezone.localdate()

    def marseille():
        return unit_figure(personas.marseille, today=today)

    assert marseille().n == 5
    settings.MIROIR_ANONYMITY_THRESHOLD = 6
    assert marseille().suppressed
    assert len(builds) == 2


def test_a_unit_moved_in_the_tree_recounts_at_once(personas, answered, builds, settings) -> None:
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 3600
    from miroir.org.services import unit_move

    today = timezone.localdate()

    def nord_n():
        return unit_figure(personas.nord, today=today).n

    assert nord_n() == 9
    unit_move(unit=personas.marseille, new_parent=personas.nord)
    assert nord_n() == 14
    assert len(builds) == 2


def test_a_process_keeps_at_most_the_configured_number_of_releases(
    personas, answered, settings
) -> None:
    settings.MIROIR_RESULTS_KEPT_RELEASES = 2
    period = period_of(timezone.localdate())
    for lens in ("employee", "customer", "partner"):
        selectors.unit_results(unit=personas.company, lens=lens, period=period, with_change=False)
    kept = [release.lens for release in keep.kept_releases()]
    assert kept == ["customer", "partner"]


def test_a_raised_wave_threshold_applies_at_once_even_to_kept_figures(
    personas, answered, builds, settings
) -> None:
    from miroir.collect.models import Wave

    settings.MIROIR_RESULTS_REFRESH_SECONDS = 3600
    wave, _given = answered
    today = timezone.localdate()

    def marseille():
        return unit_figure(personas.marseille, today=today)

    assert marseille().n == 5
    # As collect.services.wave_raise_thresholds would (it refuses closed waves).
    Wave.objects.filter(pk=wave.pk).update(threshold_scores=7, threshold_verbatims=12)
    assert marseille().suppressed
    assert len(builds) == 2


def test_unchanged_roll_ups_are_found_current_without_a_recount(
    personas, answered, builds, settings
) -> None:
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 60
    today = timezone.localdate()
    assert company_n(personas, today=today) == 14
    a_refresh_time_later()
    assert company_n(personas, today=today) == 14
    assert len(builds) == 1
    (release,) = keep.kept_releases()
    assert (timezone.now() - release.checked_at).total_seconds() < 60


def test_listening_reads_the_same_unit_by_unit_and_for_the_whole_network(
    personas, answered, monkeypatch
) -> None:
    period = period_of(timezone.localdate())

    def listening() -> dict[int, object]:
        rows = selectors.network_symmetry(unit=personas.company, period=period, levels=None)
        return {row.unit_id: row.listening for row in rows}

    monkeypatch.setattr(context, "FEW_UNITS", 1000)
    alone = listening()
    monkeypatch.setattr(context, "FEW_UNITS", 0)
    together = listening()
    assert len(alone) == 8
    assert together == alone
    lille = alone[personas.lille.pk].lenses["employee"]
    assert lille.people and lille.responses is not None
    # Invitations are gated like responses: the network's show, whatever hides Lille's.
    assert alone[personas.company.pk].lenses["employee"].invited
    assert alone[personas.company.pk].lenses["management"].people >= 1


# Every alias: with a replica configured (the scaled-out pass) the recount thread, outside any
# transaction, reads through it.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_figures_found_behind_are_served_while_a_thread_recounts_them(
    personas, one_more_answered, builds, settings
) -> None:
    import threading

    settings.MIROIR_RESULTS_REFRESH_SECONDS = 60
    settings.MIROIR_RESULTS_RECOUNT_IN_BACKGROUND = True
    wave, members, tomorrow = one_more_answered
    assert company_n(personas, today=tomorrow) == 15
    submit(token_for(wave, members[1]), {ITEM: "2", "enps": "3"})
    a_refresh_time_later()
    # Behind: the kept figures are served at once, and a thread recounts them.
    assert company_n(personas, today=tomorrow) == 15
    for thread in threading.enumerate():
        if thread.name.startswith("miroir-recount-"):
            thread.join(timeout=60)
    assert len(builds) == 2
    assert company_n(personas, today=tomorrow) == 16


def test_network_wide_listening_reads_are_reused_for_the_refresh_time(
    personas, answered, settings, monkeypatch
) -> None:
    settings.MIROIR_RESULTS_REFRESH_SECONDS = 60
    monkeypatch.setattr(context, "FEW_UNITS", 0)  # read for the whole network
    period = period_of(timezone.localdate())

    def lille_people() -> int:
        rows = selectors.network_symmetry(unit=personas.company, period=period, levels=None)
        return (
            {row.unit_id: row.listening for row in rows}[personas.lille.pk]
            .lenses["employee"]
            .people
        )

    before = lille_people()
    add_employees(personas.lille, 2, prefix="Late")
    assert lille_people() == before  # within the refresh time: the people read earlier
    keep.age(61)
    assert lille_people() == before + 2


# -- releases shared by the server's processes ----------------------------------------------
# ``keep.forget`` empties this process's memory: what follows is what another process
# (or this one after a restart) finds.


def test_another_process_reads_the_shared_release_instead_of_counting_it(
    personas, answered, builds
) -> None:
    today = timezone.localdate()
    first = unit_figure(personas.lille, today=today)
    keep.forget()
    again = unit_figure(personas.lille, today=today)
    assert again == first
    assert again.n == 9 and not again.suppressed
    assert len(builds) == 1
    assert SharedRelease.objects.count() == 1


def test_a_shared_release_is_not_read_once_a_response_was_counted(
    personas, one_more_answered, builds
) -> None:
    wave, members, tomorrow = one_more_answered
    assert company_n(personas, today=tomorrow) == 15
    keep.forget()
    submit(token_for(wave, members[1]), {ITEM: "2", "enps": "3"})
    assert company_n(personas, today=tomorrow) == 16
    assert len(builds) == 2
    # One row per slot: the newer count replaced the older.
    assert SharedRelease.objects.count() == 1


def test_a_raised_threshold_is_not_read_from_a_shared_release(
    personas, answered, builds, settings
) -> None:
    today = timezone.localdate()
    assert unit_figure(personas.marseille, today=today).n == 5
    keep.forget()
    settings.MIROIR_ANONYMITY_THRESHOLD = 6
    assert unit_figure(personas.marseille, today=today).suppressed
    assert len(builds) == 2


def test_a_moved_unit_is_not_read_from_a_shared_release(personas, answered, builds) -> None:
    from miroir.org.services import unit_move

    today = timezone.localdate()
    assert unit_figure(personas.nord, today=today).n == 9
    keep.forget()
    unit_move(unit=personas.marseille, new_parent=personas.nord)
    assert unit_figure(personas.nord, today=today).n == 14
    assert len(builds) == 2


def test_releases_of_other_code_are_not_read(personas, answered, builds, monkeypatch) -> None:
    today = timezone.localdate()
    assert company_n(personas, today=today) == 14
    keep.forget()
    monkeypatch.setattr(share, "code_digest", lambda: "a version whose gate differs")
    assert company_n(personas, today=today) == 14
    assert len(builds) == 2


def test_the_code_digest_reads_only_the_modules_that_compute_releases() -> None:
    import hashlib
    from pathlib import Path

    import miroir.results

    results = Path(miroir.results.__file__).parent
    files = [path.relative_to(results).as_posix() for path in share.code_files()]
    assert sorted(files) == [
        "engine/build.py",
        "engine/release.py",
        "engine/tally.py",
        "engine/tree.py",
        "gate.py",
        "periods.py",
    ]
    # Nothing else feeds it: editing a selector, the statistics or a view keeps every
    # shared release; editing any of these files changes the digest.
    digest = hashlib.sha256()
    for name in files:
        digest.update((results / name).read_bytes())
    assert share.code_digest() == digest.hexdigest()


def test_a_shared_release_that_cannot_be_read_is_counted_again_and_replaced(
    personas, answered, builds
) -> None:
    today = timezone.localdate()
    assert company_n(personas, today=today) == 14
    SharedRelease.objects.update(payload=b"not an archive")
    keep.forget()
    assert company_n(personas, today=today) == 14
    assert len(builds) == 2
    (row,) = SharedRelease.objects.all()
    assert release_read(bytes(row.payload)).lens == "employee"


def test_shared_releases_unused_for_a_week_are_dropped(personas, answered) -> None:
    today = timezone.localdate()
    company_n(personas, today=today)
    SharedRelease.objects.update(used_at=timezone.now() - timedelta(days=8))
    period = period_of(today)
    selectors.unit_results(unit=personas.company, lens="customer", period=period, today=today)
    assert SharedRelease.objects.filter(used_at__lt=timezone.now() - timedelta(days=7)).count() == 0
    assert SharedRelease.objects.count() >= 1


def test_a_release_reads_back_equal_from_its_bytes(personas, answered) -> None:
    period = period_of(timezone.localdate())
    # By contract type: the release holds segment cells, their values and the crossed gate.
    selectors.segment_results(unit=personas.company, lens="employee", period=period)
    (release,) = [release for release in keep.kept_releases() if release.cells]
    assert release.values
    read = release_read(release_bytes(release))
    assert (read.lens, read.period, read.attribute, read.values) == (
        release.lens,
        release.period,
        release.attribute,
        release.values,
    )
    assert (read.threshold, read.verbatim_threshold, read.as_of, read.wave_ids) == (
        release.threshold,
        release.verbatim_threshold,
        release.as_of,
        release.wave_ids,
    )
    assert read.responses == release.responses
    assert read.visible_responses == release.visible_responses
    for kind in ("totals", "cells"):
        mine, theirs = getattr(release, kind), getattr(read, kind)
        assert sorted(mine) == sorted(theirs)
        for item_id, packed in mine.items():
            for key in packed.keys.tolist():
                assert theirs[item_id].tally(key) == packed.tally(key)
                assert theirs[item_id].visible(key) == packed.visible(key)
    # Hidden cells stay hidden once read back.
    assert any(not packed.shown.all() for packed in read.totals.values())


def test_bytes_holding_pickled_objects_are_refused(personas) -> None:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array([{"format": 1}], dtype=object))
    with pytest.raises(ReleaseFormatError):
        release_read(buffer.getvalue())
    with pytest.raises(ReleaseFormatError):
        release_read(b"PK\x03\x04 truncated")


def test_a_fresh_shared_release_is_not_read_once_a_wave_threshold_was_raised(
    personas, answered, builds, settings
) -> None:
    from miroir.collect.models import Wave

    settings.MIROIR_RESULTS_REFRESH_SECONDS = 3600
    wave, _given = answered
    today = timezone.localdate()
    assert unit_figure(personas.marseille, today=today).n == 5
    keep.forget()
    Wave.objects.filter(pk=wave.pk).update(threshold_scores=7, threshold_verbatims=12)
    assert unit_figure(personas.marseille, today=today).suppressed
    assert len(builds) == 2


# -- figures kept with their release --------------------------------------------------------


@pytest.fixture
def computed_figures(monkeypatch) -> list[tuple[str, int]]:
    """Return (kind, unit id) of every figure computed from a release, in order."""
    computed: list[tuple[str, int]] = []
    item_figure, pooled_figure = stats.compute_item_figure, stats.compute_pooled_figure

    def item_spy(release, previous, item, unit_id, *args):
        computed.append(("item", unit_id))
        return item_figure(release, previous, item, unit_id, *args)

    def pooled_spy(release, previous, items, unit_id, subject):
        computed.append(("pooled", unit_id))
        return pooled_figure(release, previous, items, unit_id, subject)

    monkeypatch.setattr(stats, "compute_item_figure", item_spy)
    monkeypatch.setattr(stats, "compute_pooled_figure", pooled_spy)
    return computed


def test_a_figure_is_computed_once_per_release_and_again_from_a_new_one(
    personas, one_more_answered, computed_figures
) -> None:
    wave, members, tomorrow = one_more_answered
    first = unit_figure(personas.company, today=tomorrow)
    once = list(computed_figures)
    assert once and set(once) == {("item", personas.company.pk)}  # one per item
    assert unit_figure(personas.company, today=tomorrow) is first
    assert computed_figures == once
    submit(token_for(wave, members[1]), {ITEM: "2", "enps": "3"})
    # A new response makes a new release (refresh time 0 here): figures are computed again.
    assert (first.n, unit_figure(personas.company, today=tomorrow).n) == (15, 16)
    assert len(computed_figures) == 2 * len(once)


def test_dimension_figures_are_kept_with_their_release_and_follow_a_raised_threshold(
    personas, answered, computed_figures, settings
) -> None:
    period = period_of(timezone.localdate())

    def dimensions():
        results = selectors.unit_results(
            unit=personas.marseille, lens="employee", period=period, subject="dimension"
        )
        return [figure for figure in results.figures if figure.unit_id == personas.marseille.pk]

    shown = dimensions()
    assert shown and not any(figure.suppressed for figure in shown)
    pooled = [entry for entry in computed_figures if entry[0] == "pooled"]
    assert dimensions() == shown
    assert [entry for entry in computed_figures if entry[0] == "pooled"] == pooled
    settings.MIROIR_ANONYMITY_THRESHOLD = 6
    assert all(figure.suppressed for figure in dimensions())
