from __future__ import annotations

from miroir.demo.selectors import demo_truth
from miroir.org.models import Member, Unit
from tests.demo.support import SMALL, fingerprint, run_demo


def test_same_seed_and_sizes_give_the_same_network(small_demo):
    first = fingerprint()
    first_ids = set(Member.objects.values_list("pk", flat=True))
    run_demo(*SMALL, "--reset")
    assert not first_ids & set(Member.objects.values_list("pk", flat=True)), "rows were remade"
    assert fingerprint() == first


def test_another_seed_gives_another_network(small_demo):
    first = fingerprint()
    names = set(Member.objects.values_list("first_name", "last_name"))
    run_demo(*SMALL, "--reset", "--seed", "43")
    assert fingerprint() != first
    assert set(Member.objects.values_list("first_name", "last_name")) != names


def test_more_members_per_shop_keeps_the_same_tree_and_latent_traits(small_demo):
    shops = sorted(Unit.objects.filter(kind="shop").values_list("external_id", "name"))
    ex = demo_truth("org", "ex_latent")
    run_demo(*SMALL, "--reset", "--members-per-shop", "20")
    assert sorted(Unit.objects.filter(kind="shop").values_list("external_id", "name")) == shops
    assert demo_truth("org", "ex_latent") == ex
