"""The organisation's part of the demo network: the tree, the people, their logins and roles.

It also plants the latent traits of the shops that later parts turn into answers and
voices, and records them as ground truth (part ``org``):

- ``ex_latent`` and ``cx_latent``: each shop's latent employee and customer experience,
  standard normal, keyed by the shop's external id; ``region_effect`` the regional part of
  ``ex_latent``; ``ex_cx_link`` the coefficients linking the two.
- ``perception_gap``: the shops whose management overestimates what employees feel.
- ``personas`` and ``counts``.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import CharField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _

from miroir.accounts.models import User
from miroir.demo import names
from miroir.demo.context import DEMO_DOMAIN, DemoContext
from miroir.demo.registry import demo_part, demo_reset
from miroir.org.models import (
    ContractType,
    Member,
    PartnerKind,
    PartnerOrganisation,
    Proximity,
    Role,
    RoleKind,
    Unit,
    UnitKind,
)
from miroir.org.services import unit_path_for

PART = "org"
COMPANY_NAME = "Miroir Retail"

PERSONA_EMAILS = {
    "admin": f"admin@{DEMO_DOMAIN}",
    "direction": f"direction@{DEMO_DOMAIN}",
    "region_manager": f"region@{DEMO_DOMAIN}",
    "shop_manager": f"manager@{DEMO_DOMAIN}",
    "employee": f"employee@{DEMO_DOMAIN}",
    "partner": f"partner@{DEMO_DOMAIN}",
}

# Shares of contracts among the people working in a shop besides its manager, close to a
# French retail chain: mostly permanent, with fixed-term, agency and work-study staff.
SHOP_CONTRACTS: dict[str, float] = {
    ContractType.PERMANENT: 0.62,
    ContractType.FIXED_TERM: 0.13,
    ContractType.TEMPORARY: 0.08,
    ContractType.APPRENTICE: 0.06,
    ContractType.INTERN: 0.03,
    ContractType.PARTNER: 0.08,
}
HEAD_OFFICE_CONTRACTS: dict[str, float] = {
    ContractType.PERMANENT: 0.82,
    ContractType.FIXED_TERM: 0.08,
    ContractType.APPRENTICE: 0.06,
    ContractType.INTERN: 0.04,
}
TEAM_WEIGHTS = {"Vente": 0.5, "Caisse": 0.3, "Réserve": 0.2}
THIRD_TEAM_SHARE = 0.55
# A cleaning contractor is there every day; a supplier's merchandiser comes now and then.
PROXIMITY_WEIGHTS: dict[str, dict[str, float]] = {
    PartnerKind.CONTRACTOR: {
        Proximity.CORE: 0.45,
        Proximity.REGULAR: 0.4,
        Proximity.OCCASIONAL: 0.15,
    },
    PartnerKind.SUPPLIER: {
        Proximity.CORE: 0.1,
        Proximity.REGULAR: 0.45,
        Proximity.OCCASIONAL: 0.45,
    },
}
# Desk-less field staff are reached by phone first; few have an e-mail address.
FIELD_EMAIL_SHARE = 0.45
FIELD_PHONE_SHARE = 0.85
OFFICE_PHONE_SHARE = 0.9

# Planted effects, recorded as ground truth (see the module docstring).
REGION_SD = 0.3
BETA_EX_TO_CX = 0.5
BETA_CX_TO_EX = 0.2
AUTOREGRESSION = 0.6
GAP_SHARE = 0.1
GAP_RANGE = (0.8, 1.5)
BASELINE_GAP = 0.15


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _ascii_slug(text: str) -> str:
    """Return ``text`` as a lower-case e-mail local part: no accents, spaces or quotes."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace("'", "").replace(" ", "-")


def _shops_per_region(shops: int, regions: int) -> list[int]:
    """Return how many shops each region gets: as even as possible, first regions first."""
    base, extra = divmod(shops, regions)
    return [base + (1 if index < extra else 0) for index in range(regions)]


def _insert_level(units: list[Unit]) -> None:
    """Save one level of units (parents saved), with the path and depth ``unit_create`` gives."""
    for unit in units:
        unit.depth = unit.parent.depth + 1 if unit.parent else 0
    Unit.objects.bulk_create(units, batch_size=1000)
    # One UPDATE for the whole level, the database joining each unit to its parent: a
    # bulk_update would send one CASE branch per unit. The rows just inserted are the
    # only ones of that depth without a path yet.
    parent_path = Unit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
    Unit.objects.filter(depth=units[0].depth, path="").update(
        path=Concat(
            Coalesce(Subquery(parent_path), Value("/")),
            Cast("pk", output_field=CharField()),
            Value("/"),
            output_field=CharField(),
        )
    )
    for unit in units:
        unit.path = unit_path_for(unit.pk, unit.parent)


@dataclass
class _Tree:
    company: Unit
    regions: list[Unit]
    shops_by_region: list[list[Unit]]
    # Shop external id → its teams with their labels ("Vente", "Caisse", "Réserve").
    teams_by_shop: dict[str, list[tuple[str, Unit]]]

    @property
    def shops(self) -> list[Unit]:
        return [shop for shops in self.shops_by_region for shop in shops]

    @property
    def teams(self) -> list[Unit]:
        return [team for teams in self.teams_by_shop.values() for _label, team in teams]


def _shop_names(
    rng: random.Random, region_index: int, count: int, used: dict[str, int]
) -> list[str]:
    """Return ``count`` shop names for a region: its cities, then districts of them."""
    if region_index < len(names.REGIONS):
        cities = list(names.REGIONS[region_index][1])
    else:
        # Regions beyond the named ones share the cities of France, in another order.
        cities = [city for _region, region_cities in names.REGIONS for city in region_cities]
    rng.shuffle(cities)
    result = []
    for index in range(count):
        city = cities[index % len(cities)]
        round_ = index // len(cities)
        if round_ == 0:
            name = city
        elif round_ <= len(names.DISTRICTS):
            name = f"{city} {names.DISTRICTS[round_ - 1]}"
        else:
            name = f"{city} {round_ + 1}"
        # A name another region already took gets a number; ``used`` remembers the last
        # number tried for each name, so that finding a free one stays quick.
        candidate = name
        while candidate in used:
            used[name] += 1
            candidate = f"{name} {used[name]}"
        used[candidate] = 1
        result.append(candidate)
    return result


def _build_tree(ctx: DemoContext, rng: random.Random) -> _Tree:
    options = ctx.options
    company = Unit(name=COMPANY_NAME, kind=UnitKind.COMPANY, external_id="DEMO-HQ")
    _insert_level([company])
    regions = [
        Unit(
            name=names.REGIONS[index][0] if index < len(names.REGIONS) else f"Région {index + 1}",
            kind=UnitKind.REGION,
            parent=company,
            external_id=f"DEMO-R{index + 1:03d}",
        )
        for index in range(options.regions)
    ]
    _insert_level(regions)

    used: dict[str, int] = {}
    shops_by_region: list[list[Unit]] = []
    number = 0
    for index, (region, count) in enumerate(
        zip(regions, _shops_per_region(options.shops, options.regions), strict=True)
    ):
        shops = []
        for name in _shop_names(rng, index, count, used):
            number += 1
            shops.append(
                Unit(
                    name=name, kind=UnitKind.SHOP, parent=region, external_id=f"DEMO-S{number:05d}"
                )
            )
        shops_by_region.append(shops)
    all_shops = [shop for shops in shops_by_region for shop in shops]
    _insert_level(all_shops)

    teams_by_shop: dict[str, list[tuple[str, Unit]]] = {}
    for shop in all_shops:
        labels = ["Vente", "Caisse"]
        if rng.random() < THIRD_TEAM_SHARE:
            labels.append("Réserve")
        teams_by_shop[shop.external_id] = [
            (
                label,
                Unit(
                    name=f"{shop.name} {label}",
                    kind=UnitKind.TEAM,
                    parent=shop,
                    external_id=f"{shop.external_id}-{label[0]}",
                ),
            )
            for label in labels
        ]
    tree = _Tree(company, regions, shops_by_region, teams_by_shop)
    _insert_level(tree.teams)
    return tree


@dataclass
class _Staff:
    """Builds the members in memory, numbering them for unique external ids and e-mails."""

    rng: random.Random
    members: list[Member] = field(default_factory=list)
    # (member, role kind, unit): saved once the members have ids.
    roles: list[tuple[Member, str, Unit | None]] = field(default_factory=list)
    personas: dict[str, Member] = field(default_factory=dict)

    def add(
        self,
        unit: Unit,
        *,
        contract: str,
        titles: tuple[str, str],
        email_share: float,
        phone_share: float,
        persona: str = "",
        partner_organisation: PartnerOrganisation | None = None,
        proximity: str = "",
    ) -> Member:
        rng = self.rng
        female = rng.random() < 0.5
        first = rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
        last = rng.choice(names.LAST_NAMES)
        number = len(self.members) + 1
        has_email = rng.random() < email_share
        phone = f"+336{rng.randrange(10**8):08d}" if rng.random() < phone_share else ""
        if persona:
            email: str | None = PERSONA_EMAILS[persona]
        elif has_email:
            email = f"{_ascii_slug(first)}.{_ascii_slug(last)}.{number}@{DEMO_DOMAIN}"
        else:
            email = None
        member = Member(
            external_id=f"DEMO-M{number:06d}",
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            job_title=_job_title(contract, titles[1] if female else titles[0]),
            unit=unit,
            contract_type=contract,
            partner_organisation=partner_organisation,
            proximity=proximity,
        )
        self.members.append(member)
        if persona:
            self.personas[persona] = member
        return member

    def grant(self, member: Member, kind: str, unit: Unit | None = None) -> None:
        self.roles.append((member, kind, unit))


def _job_title(contract: str, title: str) -> str:
    if contract == ContractType.APPRENTICE:
        return f"{title} en alternance"
    if contract == ContractType.INTERN:
        return f"Stagiaire {title[0].lower()}{title[1:]}"
    if contract == ContractType.TEMPORARY:
        return f"{title} (intérim)"
    return title


def _staff_head_office(staff: _Staff, company: Unit, shops: int) -> None:
    office = {"email_share": 1.0, "phone_share": OFFICE_PHONE_SHARE}
    for index, titles in enumerate(names.DIRECTION_TITLES):
        member = staff.add(
            company,
            contract=ContractType.PERMANENT,
            titles=titles,
            persona="direction" if index == 0 else "",
            **office,
        )
        staff.grant(member, RoleKind.DIRECTION)
    admin = staff.add(
        company,
        contract=ContractType.PERMANENT,
        titles=names.ADMINISTRATOR_TITLE,
        persona="admin",
        **office,
    )
    staff.grant(admin, RoleKind.ADMINISTRATOR)
    # Head office grows slowly with the network: a dozen posts, then one per ten shops.
    for index in range(8 + shops // 10):
        titles = names.HEAD_OFFICE_TITLES[index % len(names.HEAD_OFFICE_TITLES)]
        contract = _weighted(staff.rng, HEAD_OFFICE_CONTRACTS)
        staff.add(company, contract=contract, titles=titles, **office)


def _staff_region(staff: _Staff, region: Unit, *, first: bool) -> None:
    office = {"email_share": 1.0, "phone_share": OFFICE_PHONE_SHARE}
    manager = staff.add(
        region,
        contract=ContractType.PERMANENT,
        titles=names.REGION_MANAGER_TITLE,
        persona="region_manager" if first else "",
        **office,
    )
    staff.grant(manager, RoleKind.MANAGER, region)
    for titles in names.REGION_STAFF_TITLES:
        staff.add(region, contract=ContractType.PERMANENT, titles=titles, **office)


@dataclass(frozen=True)
class _Partners:
    agencies: list[PartnerOrganisation]
    others: list[PartnerOrganisation]
    titles: dict[str, tuple[tuple[str, str], ...]]


def _staff_shop(
    staff: _Staff,
    shop: Unit,
    teams: list[tuple[str, Unit]],
    *,
    size: int,
    agencies: list[PartnerOrganisation],
    partners: _Partners,
    first: bool,
) -> None:
    rng = staff.rng
    manager = staff.add(
        shop,
        contract=ContractType.PERMANENT,
        titles=names.SHOP_MANAGER_TITLE,
        email_share=1.0,
        phone_share=OFFICE_PHONE_SHARE,
        persona="shop_manager" if first else "",
    )
    staff.grant(manager, RoleKind.MANAGER, shop)
    contracts = [_weighted(rng, SHOP_CONTRACTS) for _ in range(size - 1)]
    personas = [""] * len(contracts)
    if first:
        # The personas need an employee and a partner in the first shop, whatever the draw.
        contracts[0], contracts[1] = ContractType.PERMANENT, ContractType.PARTNER
        personas[0], personas[1] = "employee", "partner"
    team_weights = [TEAM_WEIGHTS[label] for label, _team in teams]
    placed = 0
    for contract, persona in zip(contracts, personas, strict=True):
        if contract == ContractType.PARTNER:
            organisation = rng.choice(partners.others)
            staff.add(
                shop,
                contract=contract,
                titles=rng.choice(partners.titles[organisation.name]),
                email_share=FIELD_EMAIL_SHARE,
                phone_share=FIELD_PHONE_SHARE,
                persona=persona,
                partner_organisation=organisation,
                proximity=_weighted(rng, PROXIMITY_WEIGHTS[organisation.kind]),
            )
            continue
        # Every team gets someone before the weights decide where the others go.
        if placed < len(teams):
            label, team = teams[placed]
        else:
            label, team = rng.choices(teams, weights=team_weights)[0]
        placed += 1
        staff.add(
            team,
            contract=contract,
            titles=rng.choice(names.TEAMS[label][0]),
            email_share=FIELD_EMAIL_SHARE,
            phone_share=FIELD_PHONE_SHARE,
            persona=persona,
            partner_organisation=rng.choice(agencies)
            if contract == ContractType.TEMPORARY
            else None,
        )


def _create_partner_organisations() -> list[PartnerOrganisation]:
    organisations = [
        PartnerOrganisation(name=name, kind=kind, external_id=f"DEMO-P{index + 1:02d}")
        for index, (name, kind, _titles) in enumerate(names.PARTNER_ORGANISATIONS)
    ]
    PartnerOrganisation.objects.bulk_create(organisations)
    return organisations


def _create_persona_users(ctx: DemoContext, personas: dict[str, Member]) -> None:
    """Give each persona a login with the demo password, hashed once for all of them."""
    emails = [member.email for member in personas.values()]
    # A login left from an earlier demo would collide with the reserved addresses.
    User.objects.filter(email__in=emails, is_superuser=False).delete()
    users = [User(email=member.email, password=ctx.password_hash) for member in personas.values()]
    User.objects.bulk_create(users)
    for member, user in zip(personas.values(), users, strict=True):
        member.user = user


def _create_phone_logins(members: list[Member]) -> None:
    """Give every member without an e-mail address but with a mobile number a login keyed by
    that number, as ``member_sync_user`` does on an import: they sign in by SMS code or with a
    link their manager hands out (docs/security.md, "Signing in by phone")."""
    seen: set[str] = set()
    pairs = []
    for member in members:
        if member.email or not member.phone or member.phone in seen or not member.is_active:
            continue
        seen.add(member.phone)
        user = User(email=None, phone=member.phone)
        user.set_unusable_password()
        pairs.append((member, user))
    User.objects.bulk_create([user for _member, user in pairs], batch_size=1000)
    for member, user in pairs:
        member.user = user
    Member.objects.bulk_update([member for member, _user in pairs], ["user"], batch_size=1000)


def _plant_traits(ctx: DemoContext, tree: _Tree) -> None:
    """Record each shop's latent experiences and the planted perception gaps.

    The listening asymmetry is planted, and recorded once, by the voices part.
    """
    # A stream of its own: the traits do not change with the number of members per shop.
    rng = ctx.rng("org.traits")
    region_effect = {region.external_id: rng.gauss(0, REGION_SD) for region in tree.regions}
    within_sd = math.sqrt(1 - REGION_SD**2)
    noise_sd = math.sqrt(1 - BETA_EX_TO_CX**2)
    ex_latent: dict[str, float] = {}
    cx_latent: dict[str, float] = {}
    for region, shops in zip(tree.regions, tree.shops_by_region, strict=True):
        for shop in shops:
            ex = region_effect[region.external_id] + rng.gauss(0, within_sd)
            ex_latent[shop.external_id] = round(ex, 4)
            cx_latent[shop.external_id] = round(BETA_EX_TO_CX * ex + rng.gauss(0, noise_sd), 4)
    shops = tree.shops
    gap_count = max(1, round(GAP_SHARE * len(shops)))
    gap_shops = sorted(rng.sample(shops, gap_count), key=lambda unit: unit.external_id)

    ctx.record(PART, "ex_latent", ex_latent)
    ctx.record(PART, "cx_latent", cx_latent)
    ctx.record(PART, "region_effect", {k: round(v, 4) for k, v in region_effect.items()})
    ctx.record(
        PART,
        "ex_cx_link",
        {
            "beta_ex_to_cx": BETA_EX_TO_CX,
            "beta_cx_to_ex": BETA_CX_TO_EX,
            "autoregression": AUTOREGRESSION,
            "noise_sd": round(noise_sd, 4),
            "region_sd": REGION_SD,
            "model": (
                "ex = region_effect + N(0, 1 - region_sd²); "
                "cx = beta_ex_to_cx * ex + N(0, noise_sd²); from one wave to the next, "
                "ex[t+1] = autoregression * ex[t] + beta_cx_to_ex * cx[t] + noise and "
                "cx[t+1] = autoregression * cx[t] + beta_ex_to_cx * ex[t] + noise"
            ),
        },
    )
    ctx.record(
        PART,
        "perception_gap",
        {
            "share": GAP_SHARE,
            "baseline": BASELINE_GAP,
            "scale": "standard deviations of the employee latent score",
            "direction": "management overestimates what employees feel",
            "shops": {shop.external_id: round(rng.uniform(*GAP_RANGE), 4) for shop in gap_shops},
        },
    )


def _record_counts(ctx: DemoContext, tree: _Tree, staff: _Staff, partners: int) -> None:
    kinds = Counter(member.contract_type for member in staff.members)
    ctx.record(
        PART,
        "counts",
        {
            "units": {
                UnitKind.COMPANY.value: 1,
                UnitKind.REGION.value: len(tree.regions),
                UnitKind.SHOP.value: len(tree.shops),
                UnitKind.TEAM.value: len(tree.teams),
            },
            "members": len(staff.members),
            "contracts": {str(kind): kinds[kind] for kind in sorted(kinds)},
            "partner_organisations": partners,
        },
    )
    ctx.record(
        PART,
        "personas",
        {
            key: {
                "email": member.email,
                "member": member.external_id,
                "unit": member.unit.external_id,
            }
            for key, member in sorted(staff.personas.items())
        },
    )


@demo_part(name=PART, order=10)
def build_organisation(ctx: DemoContext) -> None:
    """Create the company, its regions, shops and teams, their people, logins and roles."""
    rng = ctx.rng(PART)
    options = ctx.options
    organisations = _create_partner_organisations()
    agencies = [org for org in organisations if org.kind == PartnerKind.AGENCY]
    partners = _Partners(
        agencies=agencies,
        others=[org for org in organisations if org.kind != PartnerKind.AGENCY],
        titles={name: titles for name, _kind, titles in names.PARTNER_ORGANISATIONS},
    )
    tree = _build_tree(ctx, rng)

    staff = _Staff(rng)
    _staff_head_office(staff, tree.company, options.shops)
    for region_index, region in enumerate(tree.regions):
        _staff_region(staff, region, first=region_index == 0)
    shop_items = [
        (region_index, shop)
        for region_index, shops in enumerate(tree.shops_by_region)
        for shop in shops
    ]
    mean = options.members_per_shop
    for number, (region_index, shop) in enumerate(
        ctx.progress(shop_items, desc=_("Shops"), total=len(shop_items))
    ):
        # Each region works with two agencies, as chains sign regional framework contracts.
        region_agencies = [
            agencies[region_index % len(agencies)],
            agencies[(region_index + 1) % len(agencies)],
        ]
        _staff_shop(
            staff,
            shop,
            tree.teams_by_shop[shop.external_id],
            size=max(3, round(rng.gauss(mean, mean * 0.2))),
            agencies=region_agencies,
            partners=partners,
            first=number == 0,
        )

    _create_persona_users(ctx, staff.personas)
    Member.objects.bulk_create(staff.members, batch_size=1000)
    _create_phone_logins(staff.members)
    Role.objects.bulk_create(
        [Role(member=member, kind=kind, unit=unit) for member, kind, unit in staff.roles],
        batch_size=1000,
    )

    ctx.company = tree.company
    ctx.units = {
        UnitKind.COMPANY.value: [tree.company],
        UnitKind.REGION.value: tree.regions,
        UnitKind.SHOP.value: tree.shops,
        UnitKind.TEAM.value: tree.teams,
    }
    for member in staff.members:
        ctx.members_by_unit.setdefault(member.unit.pk, []).append(member)
    ctx.personas = {key: staff.personas[key] for key in PERSONA_EMAILS}
    ctx.partner_organisations = organisations
    _plant_traits(ctx, tree)
    _record_counts(ctx, tree, staff, len(organisations))


@demo_reset(name=PART)
def reset_organisation() -> None:
    """Delete every unit, member, role and partner organisation, and the members' logins."""
    # Superusers made with createsuperuser survive a reset; member logins do not.
    user_ids = list(
        Member.objects.filter(user__isnull=False, user__is_superuser=False).values_list(
            "user_id", flat=True
        )
    )
    Role.objects.all().delete()
    Member.objects.all().delete()
    User.objects.filter(
        Q(pk__in=user_ids) | Q(email__endswith=f"@{DEMO_DOMAIN}"), is_superuser=False
    ).delete()
    # Children first: a unit's parent link protects it while it has children.
    deepest = Unit.objects.aggregate(deepest=Max("depth"))["deepest"]
    if deepest is not None:
        for depth in range(deepest, -1, -1):
            Unit.objects.filter(depth=depth).delete()
    PartnerOrganisation.objects.all().delete()
