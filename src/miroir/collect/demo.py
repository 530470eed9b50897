"""The collection's part of the demo: a year of quarterly cold waves and their responses.

Four quarters of the mirrored pulse (the bundled ``pulse-miroir`` catalog), each asked
to employees, partners, management and customers over the whole company: three waves
closed (their invitations already purged of who was invited) and the current one open.
Answers are drawn from the organisation part's planted traits, and what this part
plants on top is recorded as ground truth (part ``collect``):

- ``latent_by_quarter``: each shop's employee (``ex``) and customer (``cx``) latent
  experience per quarter, starting from ``org.ex_latent``/``org.cx_latent`` and moving
  with the ``org.ex_cx_link`` model;
- ``answer_model``: how a latent value becomes an answer, the item offsets (the
  listening asymmetry: employees feel less listened to than customers), the partner
  offset and the management perception gap (``org.perception_gap``);
- ``response_rates`` and ``waves``: who was asked, how many answered.

Management's estimates of the current quarter are attributed to the manager who gave them
(shown at their own unit under their name: docs/anonymity.md); those of closed quarters
are anonymous, gated like every lens.

Beside the pulse, every other bundled catalog is run once, so that each shows in the
results: the service barometer (employees and customers) and the managerial proximity
questionnaire (employees and management's estimate) open in the current quarter beside
the pulse, and the engagement questionnaire as a hot wave, opened with them, sent to
customers by e-mail or SMS after their visit to the checkout (interactions, invitations,
responses). Recorded: ``extra_waves``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from miroir.collect.models import (
    ROLE_UNIT_KINDS,
    Answer,
    AudienceRole,
    Interaction,
    InteractionOutcome,
    Invitation,
    InvitationStatus,
    InvitationToken,
    Pulse,
    Response,
    SubmissionReceipt,
    Wave,
    WaveKind,
    WaveStatus,
)
from miroir.collect.selectors import respondent_items
from miroir.collect.sending import reminder_round_due
from miroir.collect.services import threshold_floor
from miroir.demo.context import DemoContext
from miroir.demo.registry import demo_part, demo_reset
from miroir.instruments.catalogs import catalog_load
from miroir.instruments.models import Instrument, Item
from miroir.instruments.scales import FreeTextScale, PointScale
from miroir.org.models import ContractType, Lens, Member, Role, RoleKind, UnitKind

PART = "collect"
CATALOG = "pulse-miroir"
QUARTERS = 4
QUARTER_DAYS = 91
WAVE_DAYS = 30
# The current wave opened this many days before the demo's "now".
CURRENT_WAVE_AGE = 20
LENSES = (Lens.EMPLOYEE, Lens.PARTNER, Lens.MANAGEMENT, Lens.CUSTOMER)
LENS_NAMES = {
    Lens.EMPLOYEE: "collaborateurs",
    Lens.PARTNER: "partenaires",
    Lens.MANAGEMENT: "estimation du management",
    Lens.CUSTOMER: "clients",
}

# How a latent experience (standard normal) becomes a 1-5 agreement: the answer is
# round(INTERCEPT + SLOPE * (latent + item offset) + N(0, NOISE_SD)), kept in 1..5.
INTERCEPT = 3.4
SLOPE = 0.9
NOISE_SD = 0.9
DONT_KNOW_SHARE = 0.03
FREE_TEXT_SHARE = 0.15
# From one quarter to the next, on top of the org part's autoregression.
EVOLUTION_NOISE_SD = 0.45
PARTNER_OFFSET = -0.25
# Item offsets, in latent units: the listening asymmetry of the barometer the product
# starts from (staff feel less listened to than customers feel their complaints heard).
ITEM_OFFSETS = {
    "ecoute-employee": -0.6,
    "ecoute-partner": -0.4,
    "ecoute-customer": 0.25,
    "reconnaissance-employee": -0.35,
    "outils-employee": -0.2,
}
RESPONSE_RATES = {
    Lens.EMPLOYEE: {"base": 0.62, "per_latent_sd": 0.06},
    Lens.PARTNER: {"base": 0.45, "per_latent_sd": 0.0},
    Lens.MANAGEMENT: {"base": 0.85, "per_latent_sd": 0.0},
}
# The current wave is two thirds of the way through: this share of its final answers.
CURRENT_SHARE = 0.65
CUSTOMERS_PER_SHOP = (18, 34)
# What respondents write in the free-text questions, as each lens would.
FREE_TEXTS = {
    Lens.EMPLOYEE: [
        "Les plannings changent trop souvent au dernier moment, c'est épuisant.",
        "Des horaires connus plus tôt, pour pouvoir s'organiser.",
        "Aucune réponse à nos suggestions, même pas un non.",
        "Les caisses tombent en panne chaque semaine, les clients attendent.",
        "Plus de vendeurs le samedi : on est en sous-effectif.",
        "Merci pour la formation sur les nouveaux produits, très utile.",
    ],
    Lens.PARTNER: [
        "Des créneaux de livraison respectés par le magasin.",
        "Un interlocuteur unique pour nos réassorts.",
        "Être prévenus plus tôt des opérations promotionnelles.",
    ],
    Lens.MANAGEMENT: [
        "L'équipe manque de temps pour remonter ses idées.",
        "Les plannings changent trop souvent au dernier moment.",
        "Nous devons mieux expliquer les refus.",
    ],
    Lens.CUSTOMER: [
        "Vendeuse très à l'écoute au rayon chaussures.",
        "Trop d'attente en caisse le samedi.",
        "Magasin propre et bien rangé, merci.",
        "Je n'ai trouvé personne pour me conseiller.",
        "Passage en caisse rapide et agréable.",
        "Le produit de la promotion était déjà en rupture.",
    ],
}
# The other bundled catalogs, each run once in the last closed quarter (lenses asked).
EXTRA_CATALOGS = {
    "barometre-service": (Lens.EMPLOYEE, Lens.CUSTOMER),
    "proximite-manager": (Lens.EMPLOYEE, Lens.MANAGEMENT),
}
# The hot wave: customers invited after the checkout, by e-mail or SMS.
HOT_CATALOG = "engagement"
HOT_MOMENT = "checkout"
HOT_DAYS = CURRENT_WAVE_AGE
HOT_PER_SHOP = (10, 18)
HOT_CONSENT_SHARE = 0.8
HOT_RESPONSE_RATE = 0.35


@dataclass
class _Quarter:
    index: int
    opens_at: datetime
    closes_at: datetime
    is_current: bool

    @property
    def label(self) -> str:
        local = timezone.localtime(self.opens_at)
        return f"T{(local.month - 1) // 3 + 1} {local.year}"


def _quarters(now: datetime) -> list[_Quarter]:
    current_open = now - timedelta(days=CURRENT_WAVE_AGE)
    quarters = []
    for index in range(QUARTERS):
        opens = current_open - timedelta(days=QUARTER_DAYS * (QUARTERS - 1 - index))
        quarters.append(
            _Quarter(
                index=index,
                opens_at=opens,
                closes_at=opens + timedelta(days=WAVE_DAYS),
                is_current=index == QUARTERS - 1,
            )
        )
    return quarters


def _instrument(catalog: str = CATALOG) -> Instrument:
    """Return the latest version of a bundled catalog's questionnaire, loading it if needed."""
    existing = Instrument.objects.filter(family=catalog).order_by("-version").first()
    instrument = existing or catalog_load(name=catalog, actor=None)
    return instrument


def _evolve(ctx: DemoContext, rng: random.Random, shops: list[str]) -> dict[str, dict]:
    """Return each shop's ex and cx latent per quarter, from the org part's first values."""
    link = ctx.truth_of("org", "ex_cx_link")
    ex0, cx0 = ctx.truth_of("org", "ex_latent"), ctx.truth_of("org", "cx_latent")
    ar, to_cx, to_ex = link["autoregression"], link["beta_ex_to_cx"], link["beta_cx_to_ex"]
    ex = {shop: [ex0[shop]] for shop in shops}
    cx = {shop: [cx0[shop]] for shop in shops}
    for _quarter in range(1, QUARTERS):
        for shop in shops:
            last_ex, last_cx = ex[shop][-1], cx[shop][-1]
            ex[shop].append(
                round(ar * last_ex + to_ex * last_cx + rng.gauss(0, EVOLUTION_NOISE_SD), 4)
            )
            cx[shop].append(
                round(ar * last_cx + to_cx * last_ex + rng.gauss(0, EVOLUTION_NOISE_SD), 4)
            )
    return {"ex": ex, "cx": cx}


class _Latents:
    """The latent experience behind any unit, at a quarter: its shop's, or an average."""

    def __init__(self, ctx: DemoContext, by_quarter: dict[str, dict]) -> None:
        self.by_quarter = by_quarter
        self.shop_of: dict[int, str] = {}
        region_of_shop: dict[str, str] = {}
        shops_by_pk = {shop.pk: shop for shop in ctx.units.get(UnitKind.SHOP.value, [])}
        for shop in shops_by_pk.values():
            self.shop_of[shop.pk] = shop.external_id
            region_of_shop[shop.external_id] = shop.parent.external_id
        for team in ctx.units.get(UnitKind.TEAM.value, []):
            self.shop_of[team.pk] = shops_by_pk[team.parent_id].external_id
        self.shops_of_region: dict[int, list[str]] = {}
        for region in ctx.units.get(UnitKind.REGION.value, []):
            self.shops_of_region[region.pk] = [
                shop for shop, reg in region_of_shop.items() if reg == region.external_id
            ]
        self.all_shops = list(region_of_shop)

    def shops(self, unit_id: int) -> list[str]:
        if unit_id in self.shop_of:
            return [self.shop_of[unit_id]]
        return self.shops_of_region.get(unit_id) or self.all_shops

    def value(self, kind: str, unit_id: int, quarter: int) -> float:
        shops = self.shops(unit_id)
        return sum(self.by_quarter[kind][shop][quarter] for shop in shops) / len(shops)


def _point(rng: random.Random, scale: PointScale, latent: float) -> int:
    """Return a point of the scale for a latent value: agreement first, rescaled to the scale."""
    agreement = INTERCEPT + SLOPE * latent + rng.gauss(0, NOISE_SD)  # about 1..5
    share = min(1.0, max(0.0, (agreement - 1) / 4))
    if not scale.higher_is_better:
        share = 1 - share
    return max(scale.low, min(scale.high, round(scale.low + share * (scale.high - scale.low))))


def _answers(
    rng: random.Random, items: list[Item], response: Response, latent: float
) -> list[Answer]:
    answers = []
    texts = FREE_TEXTS.get(response.lens, FREE_TEXTS[Lens.EMPLOYEE])
    for item in items:
        scale = item.get_scale()
        if isinstance(scale, FreeTextScale):
            if rng.random() < FREE_TEXT_SHARE:
                answers.append(Answer(response=response, item=item, text=rng.choice(texts)))
            continue
        if item.allow_dont_know and rng.random() < DONT_KNOW_SHARE:
            answers.append(Answer(response=response, item=item, dont_know=True))
            continue
        if isinstance(scale, PointScale):
            value = _point(rng, scale, latent + ITEM_OFFSETS.get(item.code, 0.0))
            answers.append(Answer(response=response, item=item, number=float(value)))
        elif scale.is_numeric:  # yes / no
            answers.append(
                Answer(response=response, item=item, number=float(rng.choice(scale.values())))
            )
        else:
            answers.append(
                Answer(response=response, item=item, choice=str(rng.choice(scale.values())))
            )
    return answers


def _day(rng: random.Random, quarter: _Quarter, now: datetime) -> date:
    last = min(quarter.closes_at, now)
    span = max(0, (timezone.localdate(last) - timezone.localdate(quarter.opens_at)).days)
    # Most answers come in the first days, and again after each reminder.
    offset = min(span, int(rng.expovariate(1 / 6)))
    return timezone.localdate(quarter.opens_at) + timedelta(days=offset)


def _audience(lens: str, members: list[Member], managers: list[Role]) -> list[tuple[Member, int]]:
    if lens == Lens.MANAGEMENT:
        return [(role.member, role.unit_id) for role in managers]
    if lens == Lens.PARTNER:
        return [(m, m.unit_id) for m in members if m.contract_type == ContractType.PARTNER]
    return [(m, m.unit_id) for m in members if m.contract_type != ContractType.PARTNER]


def _estimate_author(lens: str, quarter: _Quarter, member: Member) -> Member | None:
    """Return the author of a manager's estimate: attributed from the current quarter on.

    The planted story: the company made management's estimate an attributed judgement
    this quarter (``MIROIR_ESTIMATE_ATTRIBUTED``), so each shop shows its own manager's
    estimate under their name, while the closed quarters' estimates stay anonymous and
    gated (and drive the network's perception gaps).
    """
    if lens != Lens.MANAGEMENT or not quarter.is_current:
        return None
    return member if settings.MIROIR_ESTIMATE_ATTRIBUTED else None


def _response_rate(lens: str, latent: float) -> float:
    rates = RESPONSE_RATES[lens]
    return min(0.95, max(0.05, rates["base"] + rates["per_latent_sd"] * latent))


@demo_part(name=PART, order=40)
def build_collection(ctx: DemoContext) -> None:
    """Create a year of quarterly waves for every lens, with invitations and responses."""
    rng = ctx.rng(PART)
    instrument = _instrument()
    instrument.locked_at = instrument.locked_at or ctx.now
    instrument.save(update_fields=["locked_at"])
    shops = [shop.external_id for shop in ctx.units.get(UnitKind.SHOP.value, [])]
    by_quarter = _evolve(ctx, rng, shops)
    latents = _Latents(ctx, by_quarter)
    gap = ctx.truth_of("org", "perception_gap")
    members = [m for unit_members in ctx.members_by_unit.values() for m in unit_members]
    members.sort(key=lambda member: member.pk)
    managers = list(
        Role.objects.filter(kind=RoleKind.MANAGER, unit__isnull=False)
        .select_related("member", "unit")
        .order_by("unit__path", "member_id")
    )
    summary = []
    build = _Builder(ctx, rng, latents, gap, members, managers)
    employee_waves = []
    for quarter in _quarters(ctx.now):
        for lens in LENSES:
            wave = _cold_wave(ctx, instrument, quarter, lens, f"Pulse miroir {quarter.label}")
            summary.append(
                {"quarter": quarter.index, "lens": lens.value, **build.wave(wave, quarter)}
            )
            if lens == Lens.EMPLOYEE:
                employee_waves.append(wave)
    ctx.record(PART, "pulse", _employee_pulse(ctx, instrument, employee_waves))
    # In the current quarter: the closed ones stay as the pulse alone made them, and the
    # results of the current period show every catalog.
    extra = _extra_waves(ctx, build, _quarters(ctx.now)[-1])
    extra.append(_hot_wave(ctx, rng, latents))
    ctx.record(PART, "extra_waves", extra)
    ctx.record(PART, "instrument", instrument.slug)
    ctx.record(PART, "latent_by_quarter", by_quarter)
    ctx.record(
        PART,
        "answer_model",
        {
            "agreement": "round(intercept + slope * (latent + item offset) + N(0, noise_sd)), "
            "kept in 1..5; other point scales rescale the same agreement",
            "intercept": INTERCEPT,
            "slope": SLOPE,
            "noise_sd": NOISE_SD,
            "evolution_noise_sd": EVOLUTION_NOISE_SD,
            "item_offsets": ITEM_OFFSETS,
            "partner_offset": PARTNER_OFFSET,
            "management": "ex of the managed unit + org.perception_gap.baseline "
            "+ org.perception_gap.shops[shop] (0 elsewhere)",
            "latent": "employee and partner: ex of their shop (region or network average "
            "above shops); customer: cx of the shop",
            "dont_know_share": DONT_KNOW_SHARE,
            "free_text_share": FREE_TEXT_SHARE,
        },
    )
    ctx.record(
        PART,
        "response_rates",
        {
            **{lens.value: rates for lens, rates in RESPONSE_RATES.items()},
            "current_wave_share": CURRENT_SHARE,
            "customers_per_shop": list(CUSTOMERS_PER_SHOP),
        },
    )
    ctx.record(PART, "waves", summary)


def _employee_pulse(ctx: DemoContext, instrument: Instrument, waves: list[Wave]) -> dict[str, Any]:
    """Return what the running pulse is: the employees' quarterly waves, every 13 weeks.

    Its schedule is anchored on the current wave (same day and local time, 13 weeks being
    ``QUARTER_DAYS``), so the tick's next wave is the next quarter's, never a second one now.
    """
    current = timezone.localtime(waves[-1].opens_at)
    first = waves[0]
    pulse = Pulse.objects.create(
        name="Pulse miroir — collaborateurs",
        instrument=instrument,
        lens=Lens.EMPLOYEE,
        channels=first.channels,
        reminder_days=first.reminder_days,
        attributes=first.attributes,
        threshold_scores=first.threshold_scores,
        threshold_verbatims=first.threshold_verbatims,
        every_weeks=QUARTER_DAYS // 7,
        open_days=WAVE_DAYS,
        starts_on=current.date() - timedelta(days=QUARTER_DAYS * (len(waves) - 1)),
        opens_at_time=current.time(),
    )
    pulse.units.set([ctx.company])
    for rank, wave in enumerate(waves, start=1):
        Wave.objects.filter(pk=wave.pk).update(pulse=pulse, pulse_rank=rank)
    return {"name": pulse.name, "waves": len(waves), "every_weeks": pulse.every_weeks}


def _cold_wave(
    ctx: DemoContext, instrument: Instrument, quarter: _Quarter, lens: str, title: str
) -> Wave:
    """Return a cold wave of ``instrument`` asked to ``lens`` over the company in ``quarter``."""
    scores, verbatims = threshold_floor()
    customers = lens == Lens.CUSTOMER
    wave = Wave.objects.create(
        instrument=instrument,
        name=f"{title} — {LENS_NAMES[lens]}",
        kind=WaveKind.COLD,
        lens=lens,
        status=WaveStatus.OPEN if quarter.is_current else WaveStatus.CLOSED,
        opens_at=quarter.opens_at,
        closes_at=quarter.closes_at,
        # Customers answer the cold waves through open links (posters, receipts): no
        # channel, so no reminder either.
        reminder_days=[] if customers else [7, 14],
        channels=[] if customers else ["email", "link"],
        open_links=customers,
        attributes={
            Lens.EMPLOYEE: ["contract_type"],
            Lens.PARTNER: ["proximity"],
        }.get(lens, []),
        threshold_scores=scores,
        threshold_verbatims=verbatims,
        launched_at=quarter.opens_at,
        closed_at=None if quarter.is_current else quarter.closes_at,
        purged_at=None if quarter.is_current else quarter.closes_at,
    )
    wave.units.set([ctx.company])
    return wave


class _Builder:
    """Builds the invitations and responses of waves, with the items of each asked once."""

    def __init__(
        self,
        ctx: DemoContext,
        rng: random.Random,
        latents: _Latents,
        gap: dict[str, Any],
        members: list[Member],
        managers: list[Role],
    ) -> None:
        self.ctx, self.rng, self.latents, self.gap = ctx, rng, latents, gap
        self.members, self.managers = members, managers
        self.items: dict[tuple[int, str], list[Item]] = {}

    def wave(self, wave: Wave, quarter: _Quarter) -> dict[str, int]:
        key = (wave.instrument_id, wave.lens)
        if key not in self.items:
            self.items[key] = respondent_items(wave)
        return _build_wave(
            self.ctx,
            self.rng,
            _WaveSpec(wave=wave, quarter=quarter, lens=wave.lens, items=self.items[key]),
            latents=self.latents,
            gap=self.gap,
            members=self.members,
            managers=_with_roles(self.managers, wave.roles),
        )


def _with_roles(managers: list[Role], roles: list[str]) -> list[Role]:
    """Return the managers a management wave naming ``roles`` invites (all when none)."""
    if not roles:
        return managers
    kinds = set().union(*(ROLE_UNIT_KINDS[role] for role in roles))
    return [role for role in managers if role.unit.kind in kinds]


def _extra_waves(ctx: DemoContext, build: _Builder, quarter: _Quarter) -> list[dict[str, Any]]:
    """Run every other bundled cold catalog once, in ``quarter``; return what was made."""
    made = []
    for catalog, lenses in EXTRA_CATALOGS.items():
        instrument = _instrument(catalog)
        instrument.locked_at = instrument.locked_at or ctx.now
        instrument.save(update_fields=["locked_at"])
        for lens in lenses:
            wave = _cold_wave(
                ctx, instrument, quarter, lens, f"{instrument.title_fr} {quarter.label}"
            )
            if lens == Lens.MANAGEMENT:
                # The proximity survey's estimate side goes to the shop managers only.
                wave.roles = [AudienceRole.SHOP_MANAGERS.value]
                wave.save(update_fields=["roles"])
            made.append(
                {
                    "catalog": catalog,
                    "lens": lens.value,
                    "kind": "cold",
                    **build.wave(wave, quarter),
                }
            )
    return made


def _hot_wave(ctx: DemoContext, rng: random.Random, latents: _Latents) -> dict[str, Any]:
    """Run the engagement questionnaire hot, after the checkout, for the last weeks."""
    instrument = _instrument(HOT_CATALOG)
    instrument.locked_at = instrument.locked_at or ctx.now
    instrument.save(update_fields=["locked_at"])
    scores, verbatims = threshold_floor()
    opens_at = ctx.now - timedelta(days=HOT_DAYS)
    wave = Wave.objects.create(
        instrument=instrument,
        name="Après le passage en caisse — clients (à chaud)",
        kind=WaveKind.HOT,
        lens=Lens.CUSTOMER,
        status=WaveStatus.OPEN,
        opens_at=opens_at,
        closes_at=ctx.now + timedelta(days=90),
        channels=["email", "sms"],
        hot_moments=[HOT_MOMENT],
        threshold_scores=scores,
        threshold_verbatims=verbatims,
        launched_at=opens_at,
    )
    wave.units.set([ctx.company])
    items = respondent_items(wave)
    interactions: list[Interaction] = []
    invitations: list[Invitation] = []
    responses: list[Response] = []
    answers: list[Answer] = []
    today = timezone.localdate(ctx.now)
    for shop in ctx.units.get(UnitKind.SHOP.value, []):
        latent = latents.value("cx", shop.pk, QUARTERS - 1)
        for number in range(rng.randint(*HOT_PER_SHOP)):
            occurred_at = ctx.now - timedelta(days=rng.uniform(0.01, HOT_DAYS))
            consent = rng.random() < HOT_CONSENT_SHARE
            interaction = Interaction(
                source="caisse",
                external_id=f"TICKET-{shop.external_id}-{number:03d}",
                unit=shop,
                moment=HOT_MOMENT,
                occurred_at=occurred_at,
                consent=consent,
                outcome=InteractionOutcome.SCHEDULED if consent else InteractionOutcome.NO_CONSENT,
                wave=wave if consent else None,
                received_at=occurred_at + timedelta(minutes=1),
            )
            interactions.append(interaction)
            if not consent:
                continue
            sent_at = occurred_at + timedelta(minutes=wave.hot_delay_minutes)
            # Visits of the last hours wait for the delay: the task worker sends them.
            pending = sent_at > ctx.now
            by_sms = not pending and rng.random() < 0.4
            answered = not pending and rng.random() < HOT_RESPONSE_RATE
            email = f"client.{shop.external_id.lower()}.{number}@example.com"
            invitation = Invitation(
                wave=wave,
                unit=shop,
                channel="sms" if by_sms else "email",
                email=None if by_sms else email,
                phone=f"+3361{rng.randrange(10**7):07d}" if by_sms else None,
                language="fr",
                used=answered,
                status=InvitationStatus.PENDING if pending else InvitationStatus.SENT,
                sent_at=None if pending else sent_at,
                last_sent_at=None if pending else sent_at,
                not_before=sent_at if pending else None,
                expires_at=occurred_at + timedelta(days=wave.hot_valid_days),
                moment=HOT_MOMENT,
            )
            invitations.append(invitation)
            interaction.invitation = invitation
            if answered:
                day = min(today, timezone.localdate(sent_at) + timedelta(days=rng.randint(0, 2)))
                response = Response(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    wave=wave,
                    unit=shop,
                    lens=Lens.CUSTOMER,
                    submitted_on=day,
                    channel=invitation.channel,
                    invitation=invitation,
                )
                responses.append(response)
                answers.extend(_answers(rng, items, response, latent))
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    Interaction.objects.bulk_create(interactions, batch_size=2000)
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    return {
        "catalog": HOT_CATALOG,
        "lens": Lens.CUSTOMER.value,
        "kind": "hot",
        "interactions": len(interactions),
        "invited": len(invitations),
        "responses": len(responses),
        "answers": len(answers),
    }


@dataclass
class _WaveSpec:
    wave: Wave
    quarter: _Quarter
    lens: str
    items: list[Item]


def _build_wave(
    ctx: DemoContext,
    rng: random.Random,
    spec: _WaveSpec,
    *,
    latents: _Latents,
    gap: dict[str, Any],
    members: list[Member],
    managers: list[Role],
) -> dict[str, int]:
    """Return the counts of the invitations, responses and answers made for one wave."""
    wave, quarter, lens, items = spec.wave, spec.quarter, spec.lens, spec.items
    responses: list[Response] = []
    answers: list[Answer] = []
    invitations: list[Invitation] = []

    def respond(
        unit_id: int,
        latent: float,
        attributes: dict[str, str],
        channel: str,
        author: Member | None = None,
    ) -> None:
        response = Response(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            wave=wave,
            unit_id=unit_id,
            lens=lens,
            submitted_on=_day(rng, quarter, ctx.now),
            attributes=attributes,
            channel=channel,
            author=author,
        )
        responses.append(response)
        answers.extend(_answers(rng, items, response, latent))

    share = CURRENT_SHARE if quarter.is_current else 1.0
    # The reminders already due were sent: the demo's worker has none to catch up on.
    reminders_sent = reminder_round_due(wave, now=min(ctx.now, quarter.closes_at))
    last_sent_at = quarter.opens_at + timedelta(
        days=max([0, *(d for d in wave.reminder_days[:reminders_sent])])
    )
    if lens == Lens.CUSTOMER:
        for shop in ctx.units.get(UnitKind.SHOP.value, []):
            count = round(rng.randint(*CUSTOMERS_PER_SHOP) * share)
            for _customer in range(count):
                respond(shop.pk, latents.value("cx", shop.pk, quarter.index), {}, "link")
    else:
        for member, unit_id in _audience(lens, members, managers):
            channel = "email" if member.email else "link"
            ex = latents.value("ex", unit_id, quarter.index)
            answered = rng.random() < _response_rate(lens, ex) * share
            invitations.append(
                Invitation(
                    wave=wave,
                    unit_id=unit_id,
                    channel=channel,
                    member=member if quarter.is_current else None,
                    used=answered,
                    status=InvitationStatus.SENT,
                    sent_at=quarter.opens_at,
                    last_sent_at=last_sent_at,
                    reminders_sent=reminders_sent,
                    expires_at=quarter.closes_at,
                )
            )
            if not answered:
                continue
            if lens == Lens.MANAGEMENT:
                shop_gap = sum(
                    gap["shops"].get(shop, 0.0) for shop in latents.shops(unit_id)
                ) / len(latents.shops(unit_id))
                latent = ex + gap["baseline"] + shop_gap
                attributes: dict[str, str] = {}
            elif lens == Lens.PARTNER:
                latent = ex + PARTNER_OFFSET
                attributes = {"proximity": member.proximity} if member.proximity else {}
            else:
                latent = ex
                attributes = {"contract_type": member.contract_type}
            respond(unit_id, latent, attributes, channel, _estimate_author(lens, quarter, member))
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    return {"invited": len(invitations), "responses": len(responses), "answers": len(answers)}


@demo_reset(name=PART)
def reset_collection() -> None:
    """Delete every wave with its invitations, responses and receipts (questionnaires stay)."""
    Answer.objects.all().delete()
    Response.objects.all().delete()
    SubmissionReceipt.objects.all().delete()
    InvitationToken.objects.all().delete()
    Interaction.objects.all().delete()
    Invitation.objects.all().delete()
    Wave.objects.all().delete()
    Pulse.objects.all().delete()
