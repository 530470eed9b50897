from __future__ import annotations

import re
from collections import Counter

import pytest

from miroir.demo.context import DEMO_PASSWORD, DemoOptions
from miroir.demo.services import demo_generate
from miroir.org.models import ContractType, Member, PartnerKind, Role, RoleKind, Unit, UnitKind
from miroir.org.selectors import scope_for_user
from miroir.org.services import unit_create, unit_path_for
from tests.demo.support import run_demo

PERSONA_EMAILS = [
    "admin@demo.miroir.example",
    "direction@demo.miroir.example",
    "region@demo.miroir.example",
    "manager@demo.miroir.example",
    "employee@demo.miroir.example",
    "partner@demo.miroir.example",
]


def test_tree_is_a_company_over_regions_over_shops_over_teams(small_demo):
    company = Unit.objects.get(parent__isnull=True)
    assert company.kind == UnitKind.COMPANY
    regions = Unit.objects.filter(parent=company)
    assert {unit.kind for unit in regions} == {UnitKind.REGION}
    assert [unit.name for unit in regions.order_by("external_id")] == ["Nord", "Est"]
    shops = Unit.objects.filter(parent__in=regions)
    assert {unit.kind for unit in shops} == {UnitKind.SHOP}
    assert shops.count() == 6
    teams = Unit.objects.filter(parent__in=shops)
    assert {unit.kind for unit in teams} == {UnitKind.TEAM}
    assert Unit.objects.count() == 1 + 2 + 6 + teams.count()


def test_shops_are_spread_evenly_over_the_regions(db, data_dir):
    run_demo("--regions", "3", "--shops", "7")
    per_region = Counter(
        Unit.objects.filter(kind=UnitKind.SHOP).values_list("parent__name", flat=True)
    )
    assert sorted(per_region.values()) == [2, 2, 3]
    assert per_region["Nord"] == 3


def test_paths_and_depths_are_those_unit_create_gives(small_demo):
    units = {unit.pk: unit for unit in Unit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        assert unit.path == unit_path_for(unit.pk, parent)
        assert unit.depth == (parent.depth + 1 if parent else 0)
    shop = Unit.objects.filter(kind=UnitKind.SHOP).first()
    made_by_service = unit_create(name="Drive", kind=UnitKind.TEAM, parent=shop)
    assert made_by_service.path == f"{shop.path}{made_by_service.pk}/"
    assert made_by_service.depth == shop.depth + 1


def test_every_shop_has_two_or_three_teams_each_with_people(small_demo):
    for shop in Unit.objects.filter(kind=UnitKind.SHOP):
        teams = list(shop.children.all())
        assert 2 <= len(teams) <= 3
        assert {team.name.removeprefix(f"{shop.name} ") for team in teams} <= {
            "Vente",
            "Caisse",
            "Réserve",
        }
        for team in teams:
            assert team.members.exists(), team.name


def test_every_region_and_shop_has_a_manager_attached_to_it(small_demo):
    for unit in Unit.objects.filter(kind__in=[UnitKind.REGION, UnitKind.SHOP]):
        managers = Role.objects.filter(kind=RoleKind.MANAGER, unit=unit)
        assert managers.count() == 1, unit.name
        assert managers.get().member.unit == unit


def test_member_emails_are_unique_demo_addresses_and_phones_french_mobiles(small_demo):
    members = list(Member.objects.all())
    emails = [member.email for member in members if member.email]
    assert len(emails) == len(set(emails))
    pattern = re.compile(r"^[a-z-]+\.[a-z-]+\.\d+@demo\.miroir\.example$")
    ordinary = [email for email in emails if email not in PERSONA_EMAILS]
    assert ordinary and all(pattern.match(email) for email in ordinary), ordinary[:5]
    phones = [member.phone for member in members if member.phone]
    assert phones and all(re.fullmatch(r"\+336\d{8}", phone) for phone in phones)
    assert any(not member.email for member in members), "some field staff have no e-mail"


def test_partners_and_agency_workers_belong_to_the_right_organisations(small_demo):
    partners = Member.objects.filter(contract_type=ContractType.PARTNER)
    assert partners.exists()
    for partner in partners.select_related("partner_organisation", "unit"):
        assert partner.partner_organisation.kind in {PartnerKind.CONTRACTOR, PartnerKind.SUPPLIER}
        assert partner.proximity
        assert partner.unit.kind == UnitKind.SHOP
    for worker in Member.objects.filter(contract_type=ContractType.TEMPORARY):
        assert worker.partner_organisation.kind == PartnerKind.AGENCY
        assert worker.proximity == ""


def test_only_the_personas_and_members_reached_by_phone_have_logins(small_demo):
    with_login = Member.objects.filter(user__isnull=False)
    by_email = with_login.filter(user__email__isnull=False)
    assert sorted(by_email.values_list("user__email", flat=True)) == sorted(PERSONA_EMAILS)
    by_phone = with_login.filter(user__email__isnull=True)
    assert by_phone.exists()
    for member in by_phone.select_related("user"):
        assert member.email is None and member.user.phone == member.phone
    # Every other member without an e-mail address has no mobile number (or shares one).
    phones = set(by_phone.values_list("phone", flat=True))
    others = Member.objects.filter(email__isnull=True, user__isnull=True).exclude(phone="")
    assert set(others.values_list("phone", flat=True)) <= phones


@pytest.mark.parametrize("email", PERSONA_EMAILS)
def test_each_persona_logs_in_with_the_demo_password(client, small_demo, email):
    assert client.login(username=email, password=DEMO_PASSWORD)


def test_personas_have_the_scopes_of_their_roles(small_demo):
    members = {m.email: m for m in Member.objects.filter(user__isnull=False).select_related("user")}
    admin = scope_for_user(members["admin@demo.miroir.example"].user)
    assert admin.everything and admin.is_administrator
    direction = scope_for_user(members["direction@demo.miroir.example"].user)
    assert direction.everything and not direction.is_administrator

    region_member = members["region@demo.miroir.example"]
    nord = Unit.objects.get(kind=UnitKind.REGION, name="Nord")
    assert region_member.unit == nord
    assert scope_for_user(region_member.user).paths == (nord.path,)

    manager = members["manager@demo.miroir.example"]
    first_shop = Unit.objects.filter(kind=UnitKind.SHOP, parent=nord).order_by("external_id")[0]
    assert manager.unit == first_shop
    assert scope_for_user(manager.user).paths == (first_shop.path,)

    employee = members["employee@demo.miroir.example"]
    assert employee.unit.parent == first_shop
    assert employee.contract_type == ContractType.PERMANENT
    partner = members["partner@demo.miroir.example"]
    assert partner.unit == first_shop
    assert partner.contract_type == ContractType.PARTNER
    for member in (employee, partner):
        assert not scope_for_user(member.user).can_browse


def test_context_hands_later_parts_the_units_members_and_personas(db):
    ctx = demo_generate(options=DemoOptions(regions=2, shops=4, members_per_shop=6))
    assert ctx.company is not None and ctx.company.pk
    assert len(ctx.units["region"]) == 2
    assert len(ctx.units["shop"]) == 4
    assert all(unit.pk and unit.path for units in ctx.units.values() for unit in units)
    members = [member for members in ctx.members_by_unit.values() for member in members]
    assert len(members) == Member.objects.count()
    assert all(member.pk for member in members)
    assert set(ctx.personas) == {
        "admin",
        "direction",
        "region_manager",
        "shop_manager",
        "employee",
        "partner",
    }
    assert ctx.members(ctx.personas["shop_manager"].unit)[0] == ctx.personas["shop_manager"]
