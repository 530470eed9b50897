from __future__ import annotations

from collections import Counter

from miroir.org.models import ContractType, Member, PartnerKind, Proximity, Unit, UnitKind
from tests.demo.support import run_demo


def test_default_network_has_four_regions_sixty_shops_and_about_900_people(db, data_dir):
    output = run_demo()
    kinds = Counter(Unit.objects.values_list("kind", flat=True))
    assert kinds[UnitKind.COMPANY] == 1
    assert kinds[UnitKind.REGION] == 4
    assert kinds[UnitKind.SHOP] == 60
    assert 120 <= kinds[UnitKind.TEAM] <= 180
    assert set(Unit.objects.filter(kind=UnitKind.REGION).values_list("name", flat=True)) == {
        "Nord",
        "Est",
        "Ouest",
        "Sud",
    }
    members = Member.objects.count()
    assert 850 <= members <= 980
    assert f"Members: {members} " in output


def test_default_network_mixes_every_contract_in_plausible_shares(db, data_dir):
    run_demo()
    contracts = Counter(Member.objects.values_list("contract_type", flat=True))
    total = sum(contracts.values())
    share = {kind: contracts[kind] / total for kind in ContractType}
    assert 0.55 <= share[ContractType.PERMANENT] <= 0.75
    assert 0.07 <= share[ContractType.FIXED_TERM] <= 0.18
    for kind in (
        ContractType.TEMPORARY,
        ContractType.APPRENTICE,
        ContractType.INTERN,
        ContractType.PARTNER,
    ):
        assert 0.01 <= share[kind] <= 0.12, kind
    partners = Member.objects.filter(contract_type=ContractType.PARTNER)
    assert set(partners.values_list("proximity", flat=True)) == set(Proximity.values)
    assert set(partners.values_list("partner_organisation__kind", flat=True)) == {
        PartnerKind.CONTRACTOR,
        PartnerKind.SUPPLIER,
    }
