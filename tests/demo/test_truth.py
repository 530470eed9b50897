from __future__ import annotations

import json
import statistics

import pytest

from miroir.demo.selectors import demo_truth, demo_truth_all
from miroir.org.models import Member, Unit, UnitKind
from tests.demo.support import SMALL, run_demo


def test_truth_file_and_database_hold_the_same_facts(small_demo, data_dir):
    from_file = json.loads((data_dir / "demo-truth.json").read_text(encoding="utf-8"))
    assert from_file == demo_truth_all()
    assert str(data_dir / "demo-truth.json") in small_demo


def test_truth_file_option_chooses_where_the_file_goes(db, data_dir, tmp_path):
    target = tmp_path / "elsewhere" / "truth.json"
    run_demo(*SMALL, "--truth-file", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["demo"]["options"]["shops"] == 6
    assert not (data_dir / "demo-truth.json").exists()


def test_truth_records_the_seed_and_sizes(db, data_dir):
    run_demo("--seed", "7", "--regions", "2", "--shops", "5", "--members-per-shop", "9")
    assert demo_truth("demo", "options") == {
        "seed": 7,
        "regions": 2,
        "shops": 5,
        "members_per_shop": 9,
    }


def test_every_shop_has_latent_employee_and_customer_experiences(small_demo):
    shops = set(Unit.objects.filter(kind=UnitKind.SHOP).values_list("external_id", flat=True))
    assert set(demo_truth("org", "ex_latent")) == shops
    assert set(demo_truth("org", "cx_latent")) == shops
    link = demo_truth("org", "ex_cx_link")
    assert link["beta_ex_to_cx"] == 0.5
    assert 0 < link["beta_cx_to_ex"] < link["beta_ex_to_cx"]


def test_perception_gap_shops_exist_and_overestimate(small_demo):
    gap = demo_truth("org", "perception_gap")
    assert len(gap["shops"]) == 1  # 10 % of 6 shops, at least one
    for external_id, size in gap["shops"].items():
        assert Unit.objects.get(external_id=external_id).kind == UnitKind.SHOP
        assert size > gap["baseline"]


def test_listening_asymmetry_is_planted_once_and_favours_customers(small_demo):
    from miroir.demo.models import GroundTruth

    assert demo_truth("org", "listening_asymmetry", default=None) is None
    keys = [(t.part, t.key) for t in GroundTruth.objects.all()]
    assert [key for key in keys if "listening" in key[1] or key[1] == "planted"] == [
        ("voices", "planted")
    ]
    planted = demo_truth("voices", "planted")
    customers, employees = planted["customer"], planted["employee"]
    assert customers["median_days"] < employees["median_days"]
    assert customers["adopt_rate"] > employees["adopt_rate"]
    assert set(planted["deadline_days"].values()) == {30}


def test_truth_counts_and_personas_match_the_database(small_demo):
    counts = demo_truth("org", "counts")
    assert counts["members"] == Member.objects.count()
    assert counts["units"]["team"] == Unit.objects.filter(kind=UnitKind.TEAM).count()
    for persona in demo_truth("org", "personas").values():
        member = Member.objects.get(external_id=persona["member"])
        assert member.email == persona["email"]
        assert member.unit.external_id == persona["unit"]


def test_missing_truth_raises_unless_a_default_is_given(db):
    with pytest.raises(LookupError):
        demo_truth("org", "ex_latent")
    assert demo_truth("org", "ex_latent", default=None) is None


def test_latent_scores_look_standard_normal(db, data_dir):
    run_demo("--regions", "4", "--shops", "200", "--members-per-shop", "3")
    ex = list(demo_truth("org", "ex_latent").values())
    cx = list(demo_truth("org", "cx_latent").values())
    assert abs(statistics.fmean(ex)) < 0.35
    assert 0.7 < statistics.stdev(ex) < 1.3
    assert 0.3 < statistics.correlation(ex, cx) < 0.7
    assert len(demo_truth("org", "perception_gap")["shops"]) == 20
