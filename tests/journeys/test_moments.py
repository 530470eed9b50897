from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from miroir.journeys.models import Moment, Stage
from miroir.journeys.selectors import moment_codes, moments_active, moments_by_stage
from miroir.journeys.services import default_moments, moments_load


def test_the_default_retail_moments_are_there_after_migrating(db):
    codes = moment_codes()
    assert {m["code"] for m in default_moments()} <= codes
    assert {"arrival", "advice", "try_on", "waiting", "checkout", "delivery", "after_sales",
            "complaint", "customer_call"} <= codes  # fmt: skip


def test_moments_are_grouped_by_stage_in_journey_order(db):
    grouped = moments_by_stage()
    assert list(grouped) == [Stage.BEFORE, Stage.DURING, Stage.AFTER]
    assert all(grouped.values())
    during = [moment.code for moment in grouped[Stage.DURING]]
    assert during.index("arrival") < during.index("checkout")


def test_every_default_moment_is_named_in_both_languages(db):
    for moment in Moment.objects.all():
        assert moment.name("fr") == moment.name_fr != moment.name_en == moment.name("en")


def test_a_name_falls_back_to_french(db):
    moment = Moment(code="x", name_fr="Accueil", stage=Stage.DURING)
    assert moment.name("en") == "Accueil"


def test_loading_twice_changes_nothing_and_keeps_retired_moments(db):
    Moment.objects.filter(code="waiting").update(is_active=False)
    Moment.objects.create(code="custom", name_fr="Atelier", stage=Stage.DURING)
    moments_load()
    moments_load()
    assert Moment.objects.filter(code="arrival").count() == 1
    assert Moment.objects.filter(code="custom").exists()
    # The file says the moment is active: loading it reactivates it.
    assert Moment.objects.get(code="waiting").is_active


def test_inactive_moments_are_not_offered(db):
    Moment.objects.filter(code="waiting").update(is_active=False)
    assert "waiting" not in {moment.code for moment in moments_active()}
    assert "waiting" in moment_codes()


def test_a_bad_entry_is_refused_with_its_position_and_nothing_is_saved(db):
    entries = [
        {"code": "atelier", "stage": "during", "fr": "Atelier"},
        {"code": "livraison-express", "stage": "later", "fr": "Livraison express"},
    ]
    with pytest.raises(ValidationError, match=r"moments\[1\]"):
        moments_load(entries=entries)
    assert not Moment.objects.filter(code="atelier").exists()


def test_the_command_loads_a_moments_file(db, tmp_path):
    path = tmp_path / "moments.json"
    path.write_text(
        json.dumps({"moments": [{"code": "atelier", "stage": "after", "fr": "Atelier",
                                 "en": "Workshop"}]}),
        encoding="utf-8",
    )  # fmt: skip
    call_command("moments_load", "--file", str(path))
    assert Moment.objects.get(code="atelier").name("en") == "Workshop"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot read moments"):
        call_command("moments_load", "--file", str(path))
