"""The collection's demo part: a year of waves whose planted effects can be found again."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

import pytest

from miroir.collect.models import Answer, Invitation, Response, Wave
from miroir.demo.selectors import demo_truth
from miroir.org.models import Unit, UnitKind
from tests.demo.support import run_demo


@pytest.fixture
def demo(db, settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    run_demo("--regions", "2", "--shops", "12")


def _shop_of(paths: dict[int, str], shops: dict[int, str], unit_id: int) -> str | None:
    for part in paths[unit_id].strip("/").split("/"):
        if int(part) in shops:
            return shops[int(part)]
    return None


def test_a_year_of_quarterly_waves_for_every_lens(demo):
    waves = Wave.objects.filter(instrument__family="pulse-miroir")
    assert waves.count() == 16
    assert sorted(set(waves.values_list("lens", flat=True))) == [
        "customer",
        "employee",
        "management",
        "partner",
    ]
    assert waves.filter(status="open").count() == 4
    # Closed waves keep their counts but no longer know who was invited.
    assert not Invitation.objects.filter(wave__status="closed", member__isnull=False).exists()
    for wave in waves.exclude(lens="customer"):
        assert wave.invitations.filter(used=True).count() == wave.responses.count()
    summary = demo_truth("collect", "waves")
    assert (
        sum(row["responses"] for row in summary) == Response.objects.filter(wave__in=waves).count()
    )
    extra = demo_truth("collect", "extra_waves")
    assert (
        sum(row["responses"] for row in extra) == Response.objects.exclude(wave__in=waves).count()
    )


def test_every_other_catalog_runs_beside_the_pulse_in_the_current_quarter(demo):
    others = Wave.objects.exclude(instrument__family="pulse-miroir")
    assert set(others.values_list("instrument__family", "kind", "status")) == {
        ("barometre-service", "cold", "open"),
        ("proximite-manager", "cold", "open"),
        ("engagement", "hot", "open"),
    }
    for wave in others.filter(kind="cold").exclude(lens="customer"):
        assert wave.invitations.filter(used=True).count() == wave.responses.count()
    hot = others.get(kind="hot")
    assert hot.invitations.filter(used=True).count() == hot.responses.count()


def test_every_shop_has_customer_and_employee_responses_each_quarter(demo):
    shops = set(Unit.objects.filter(kind=UnitKind.SHOP).values_list("pk", flat=True))
    for wave in Wave.objects.filter(lens="customer", kind="cold"):
        assert set(wave.responses.values_list("unit", flat=True)) == shops
    paths = dict(Unit.objects.values_list("pk", "path"))
    for wave in Wave.objects.filter(lens="employee"):
        reached = {
            int(part)
            for unit_id in wave.responses.values_list("unit", flat=True)
            for part in paths[unit_id].strip("/").split("/")
        }
        assert shops <= reached


def test_employee_answers_follow_the_planted_shop_experience(demo):
    truth = demo_truth("collect", "latent_by_quarter")
    shops = dict(Unit.objects.filter(kind=UnitKind.SHOP).values_list("pk", "external_id"))
    paths = dict(Unit.objects.values_list("pk", "path"))
    first = (
        Wave.objects.filter(lens="employee", instrument__family="pulse-miroir")
        .order_by("opens_at")
        .first()
    )
    by_shop = defaultdict(list)
    for unit_id, number in Answer.objects.filter(
        response__wave=first, number__isnull=False
    ).values_list("response__unit", "number"):
        shop = _shop_of(paths, shops, unit_id)
        if shop:
            by_shop[shop].append(number)
    latent = [truth["ex"][shop][0] for shop in by_shop]
    means = [statistics.mean(values) for values in by_shop.values()]
    assert statistics.correlation(latent, means) > 0.6


def test_employees_feel_less_listened_to_than_customers(demo):
    model = demo_truth("collect", "answer_model")
    assert model["item_offsets"]["ecoute-employee"] < model["item_offsets"]["ecoute-customer"]

    def mean(code):
        return statistics.mean(
            Answer.objects.filter(item__code=code, number__isnull=False).values_list(
                "number", flat=True
            )
        )

    assert mean("ecoute-employee") < mean("ecoute-customer")
