from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from miroir.demo import registry
from miroir.demo.context import DemoContext, DemoOptions
from miroir.demo.selectors import demo_truth
from miroir.demo.services import DemoError, demo_generate, demo_reset
from miroir.org.models import Unit

TINY = DemoOptions(regions=1, shops=2, members_per_shop=4)


@pytest.fixture
def isolated_registry(monkeypatch):
    """Let a test register parts without leaving them behind for the next tests."""
    monkeypatch.setattr(registry, "_BUILDS", dict(registry._BUILDS))
    monkeypatch.setattr(registry, "_RESETS", dict(registry._RESETS))


def test_the_organisation_part_is_discovered_from_its_app():
    parts = {part.name: part for part in registry.demo_parts()}
    assert parts["org"].order == 10
    assert parts["org"].build.__module__ == "miroir.org.demo"
    assert parts["org"].reset is not None


def test_a_later_part_builds_on_the_organisation_and_records_its_truth(db, isolated_registry):
    seen = {}

    @registry.demo_part(name="test-voices", order=40)
    def build(ctx: DemoContext) -> None:
        seen["shops"] = len(ctx.units["shop"])
        seen["employee"] = ctx.personas["employee"].pk
        ctx.record("test-voices", "first-shop-ex", ctx.truth_of("org", "ex_latent")["DEMO-S00001"])
        ctx.record("test-voices", "draw", ctx.rng("test-voices").random())

    demo_generate(options=TINY)
    assert seen["shops"] == 2 and seen["employee"]
    assert (
        demo_truth("test-voices", "first-shop-ex") == demo_truth("org", "ex_latent")["DEMO-S00001"]
    )


def test_a_new_part_leaves_the_others_random_draws_alone(db, isolated_registry):
    demo_generate(options=TINY)
    before = demo_truth("org", "ex_latent")

    @registry.demo_part(name="test-noise", order=5)
    def build(ctx: DemoContext) -> None:
        ctx.rng("test-noise").random()

    demo_generate(options=TINY, reset=True)
    assert demo_truth("org", "ex_latent") == before


def test_parts_are_reset_last_first(db, isolated_registry):
    calls = []

    @registry.demo_part(name="test-early", order=1)
    def build_early(ctx: DemoContext) -> None:
        pass

    @registry.demo_reset(name="test-early")
    def reset_early() -> None:
        calls.append("early")

    @registry.demo_part(name="test-late", order=99)
    def build_late(ctx: DemoContext) -> None:
        pass

    @registry.demo_reset(name="test-late")
    def reset_late() -> None:
        calls.append("late")

    demo_reset()
    assert calls == ["late", "early"]


def test_a_second_function_under_a_taken_name_is_refused(isolated_registry):
    with pytest.raises(ValueError, match="already registered"):

        @registry.demo_part(name="org", order=10)
        def build(ctx: DemoContext) -> None:
            pass


def test_rows_still_pointing_at_the_organisation_give_a_readable_error(db, isolated_registry):
    demo_generate(options=TINY)
    company = Unit.objects.get(parent__isnull=True)

    @registry.demo_part(name="test-stubborn", order=50)
    def build(ctx: DemoContext) -> None:
        pass

    @registry.demo_reset(name="test-stubborn")
    def reset() -> None:
        raise ProtectedError("protected", {company})

    with pytest.raises(DemoError, match=r"test-stubborn.*org\.Unit"):
        demo_reset()


def test_a_failing_part_leaves_the_database_as_it_was(db, isolated_registry):
    demo_generate(options=TINY)
    units = set(Unit.objects.values_list("pk", flat=True))

    @registry.demo_part(name="test-broken", order=50)
    def build(ctx: DemoContext) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        demo_generate(options=TINY, reset=True)
    assert set(Unit.objects.values_list("pk", flat=True)) == units
