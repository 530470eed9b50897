"""Named people across a small network, shared by every test that checks who sees what.

Miroir Retail (company)               direction: Diane; administrator: Ada
├── Nord (region)                     manager: Régis
│   ├── Lille (shop)                  manager: Sophie; employee: Émile; partner: Paul
│   │   ├── Lille Vente (team)
│   │   └── Lille Caisse (team)
│   └── Arras (shop)                  manager: Simon (sibling shop)
└── Sud (region)                      manager: Rose (another region)
    └── Marseille (shop)              employee: Marius
Olivier: a login that belongs to no member (outsider)
"""

from __future__ import annotations

from dataclasses import dataclass

from miroir.accounts.models import User
from miroir.org.models import (
    ContractType,
    Member,
    PartnerKind,
    PartnerOrganisation,
    Proximity,
    RoleKind,
    Unit,
    UnitKind,
)
from miroir.org.services import member_sync_user, role_grant, unit_create

PASSWORD = "correct-horse-battery-9"


@dataclass
class Personas:
    company: Unit
    nord: Unit
    sud: Unit
    lille: Unit
    lille_vente: Unit
    lille_caisse: Unit
    arras: Unit
    marseille: Unit
    admin: User
    direction: User
    region_manager: User
    shop_manager: User
    sibling_manager: User
    other_region_manager: User
    employee: User
    partner: User
    outsider: User
    employee_member: Member
    partner_member: Member
    marius: Member


def _member(
    first: str,
    last: str,
    unit: Unit,
    *,
    contract: str = ContractType.PERMANENT,
    email: str | None = None,
    **extra: object,
) -> Member:
    member = Member.objects.create(
        first_name=first,
        last_name=last,
        email=email,
        unit=unit,
        contract_type=contract,
        external_id=f"M-{first.lower()}",
        **extra,
    )
    if email:
        user = member_sync_user(member)
        user.set_password(PASSWORD)
        user.save()
    return member


def build_personas() -> Personas:
    """Return the personas, created in the test database."""
    company = unit_create(name="Miroir Retail", kind=UnitKind.COMPANY, external_id="U-HQ")
    nord = unit_create(name="Nord", kind=UnitKind.REGION, parent=company, external_id="U-NORD")
    sud = unit_create(name="Sud", kind=UnitKind.REGION, parent=company, external_id="U-SUD")
    lille = unit_create(name="Lille", kind=UnitKind.SHOP, parent=nord, external_id="U-LILLE")
    lille_vente = unit_create(
        name="Lille Vente", kind=UnitKind.TEAM, parent=lille, external_id="U-LILLE-V"
    )
    lille_caisse = unit_create(
        name="Lille Caisse", kind=UnitKind.TEAM, parent=lille, external_id="U-LILLE-C"
    )
    arras = unit_create(name="Arras", kind=UnitKind.SHOP, parent=nord, external_id="U-ARRAS")
    marseille = unit_create(name="Marseille", kind=UnitKind.SHOP, parent=sud, external_id="U-MARS")

    ada = _member("Ada", "Admin", company, email="ada@example.com")
    role_grant(member=ada, kind=RoleKind.ADMINISTRATOR)
    diane = _member("Diane", "Direction", company, email="diane@example.com")
    role_grant(member=diane, kind=RoleKind.DIRECTION)
    regis = _member("Régis", "Nord", nord, email="regis@example.com")
    role_grant(member=regis, kind=RoleKind.MANAGER, unit=nord)
    sophie = _member("Sophie", "Lille", lille, email="sophie@example.com")
    role_grant(member=sophie, kind=RoleKind.MANAGER, unit=lille)
    simon = _member("Simon", "Arras", arras, email="simon@example.com")
    role_grant(member=simon, kind=RoleKind.MANAGER, unit=arras)
    rose = _member("Rose", "Sud", sud, email="rose@example.com")
    role_grant(member=rose, kind=RoleKind.MANAGER, unit=sud)
    emile = _member("Émile", "Vendeur", lille_vente, email="emile@example.com", job_title="Vendeur")
    cleanco = PartnerOrganisation.objects.create(
        name="CleanCo", kind=PartnerKind.CONTRACTOR, external_id="P-CLEAN"
    )
    paul = _member(
        "Paul",
        "Partenaire",
        lille,
        contract=ContractType.PARTNER,
        email="paul@cleanco.example",
        partner_organisation=cleanco,
        proximity=Proximity.REGULAR,
    )
    marius = _member("Marius", "Sud", marseille, email=None, contract=ContractType.FIXED_TERM)
    outsider = User.objects.create_user("olivier@example.com", PASSWORD)
    return Personas(
        company=company,
        nord=nord,
        sud=sud,
        lille=lille,
        lille_vente=lille_vente,
        lille_caisse=lille_caisse,
        arras=arras,
        marseille=marseille,
        admin=ada.user,
        direction=diane.user,
        region_manager=regis.user,
        shop_manager=sophie.user,
        sibling_manager=simon.user,
        other_region_manager=rose.user,
        employee=emile.user,
        partner=paul.user,
        outsider=outsider,
        employee_member=emile,
        partner_member=paul,
        marius=marius,
    )
