from __future__ import annotations

from miroir.demo.selectors import demo_truth
from miroir.journeys.models import MapPublication, MapWave


def test_the_demo_publishes_maps_where_planted_shops_disagree_with_their_manager(small_demo):
    wave = MapWave.objects.get()
    assert wave.status == "closed" and wave.journey.code == "employee"
    planted = demo_truth("journeys", "disagreeing_shops")
    assert planted
    shown = 0
    for publication in MapPublication.objects.filter(unit__name__in=planted):
        snapshot = publication.snapshot
        assert publication.status == "published"
        assert snapshot["lenses"]["management"]["attributed"]
        row = next(r for r in snapshot["moments"] if r["code"] == "daily_management")
        assert row["management"]["satisfaction"] == 5
        if row["employee"] is None:
            continue  # a shop under five answers: employees hidden, the estimate still shown
        shown += 1
        assert row["satisfaction_gap"]["value"] < 0 and row["satisfaction_gap"]["significant"]
        assert row["one_sided"] == "employee"
    assert shown >= 1
