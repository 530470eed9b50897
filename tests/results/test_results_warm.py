"""``miroir results_warm``: a fresh process reads the releases it shared, counting nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from miroir.org.models import Lens
from miroir.results import selectors
from miroir.results.engine import build, keep
from miroir.results.models import SharedRelease
from miroir.results.periods import period_of
from miroir.results.services import releases_warm
from tests.personas import PASSWORD
from tests.reports.support import last_quarter_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch) -> list[tuple[str, str, bool]]:
    """Return (lens, period, segments) of every release counted from the roll-ups."""
    counted: list[tuple[str, str, bool]] = []
    original = build.release_build

    def spy(**kwargs):
        counted.append((kwargs["lens"], kwargs["period"].label, kwargs["segments"]))
        return original(**kwargs)

    monkeypatch.setattr(build, "release_build", spy)
    return counted


def _network_figures(personas) -> dict[str, tuple]:
    period = period_of(last_quarter_days()[0])
    found = {}
    for lens in (Lens.EMPLOYEE, Lens.CUSTOMER, Lens.MANAGEMENT):
        results = selectors.unit_results(
            unit=personas.company, lens=lens, period=period, levels=None, subject="dimension"
        )
        found[lens] = results.figures
    return found


def _a_fresh_process() -> None:
    keep.forget()


def _warm(*args: str) -> str:
    out = io.StringIO()
    call_command("results_warm", *args, stdout=out)
    return out.getvalue()


def test_after_warming_a_fresh_process_shows_the_same_figures_without_counting(
    results_data, builds
) -> None:
    personas = results_data
    counted_by_a_page = _network_figures(personas)
    SharedRelease.objects.all().delete()
    _a_fresh_process()
    builds.clear()
    output = _warm()
    assert builds, "the releases were counted by the command"
    assert SharedRelease.objects.count() == len(builds)
    # Releases shared, and counted now (in the language the command speaks).
    assert output.count(f" {len(builds)}") == 2
    _a_fresh_process()
    builds.clear()
    assert _network_figures(personas) == counted_by_a_page
    assert builds == []


def test_after_warming_a_fresh_process_serves_the_result_pages_without_counting(
    client, results_data, builds
) -> None:
    personas = results_data
    _warm()
    _a_fresh_process()
    builds.clear()
    client.login(username=personas.direction.email, password=PASSWORD)
    assert client.get(reverse("reports:network")).status_code == 200
    lille = reverse("reports:unit", args=[personas.lille.pk])
    assert client.get(lille).status_code == 200
    assert builds == []


def test_warming_again_counts_nothing_the_processes_share(results_data, builds) -> None:
    first = releases_warm()
    _a_fresh_process()
    builds.clear()
    again = releases_warm()
    assert again.releases == first.releases and first.counted == first.releases
    assert again.counted == 0 and builds == []


def test_warming_counts_each_period_with_responses_and_the_one_before(results_data, builds) -> None:
    recent, older = last_quarter_days()
    releases_warm(lenses=[Lens.CUSTOMER])
    before = [period_of(older)]
    for _ in range(4):  # the previous period, and the linkage's lagged ones
        before.insert(0, before[0].previous())
    quarters = [*before, period_of(recent)]
    # With and without the cells of the lens's attribute (customers: the moment).
    assert sorted(builds) == sorted(
        (Lens.CUSTOMER, quarter.label, segments)
        for quarter in quarters
        for segments in (False, True)
    )
    builds.clear()
    _a_fresh_process()
    SharedRelease.objects.all().delete()
    releases_warm(lenses=[Lens.CUSTOMER], latest=1)
    assert sorted(builds) == sorted(
        (Lens.CUSTOMER, quarter.label, segments)
        for quarter in quarters[1:]
        for segments in (False, True)
    )


def test_an_unknown_lens_or_no_period_is_refused_and_nothing_is_stored(results_data) -> None:
    with pytest.raises(CommandError, match="voters"):  # named, in either language
        _warm("--lens", "voters")
    with pytest.raises(CommandError, match=r"\b1\b"):
        _warm("--latest", "0")
    assert not SharedRelease.objects.exists()


def test_warming_a_network_without_responses_stores_nothing(personas) -> None:
    done = releases_warm(today=timezone.localdate())
    assert (done.releases, done.counted) == (0, 0)
    assert not SharedRelease.objects.exists()
