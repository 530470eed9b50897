"""The voices' demo part: a year of voices with a planted listening asymmetry.

Customer complaints are answered far more often and faster than employee suggestions, as
in the barometer that started Miroir; the listening metrics must show it. The planted
rates are recorded as ground truth (``demo_truth("voices", …)``).
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from django.db import transaction

from miroir.demo.context import DemoContext
from miroir.demo.registry import demo_part, demo_reset
from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Member, Unit, UnitKind
from miroir.voices import text as voice_text
from miroir.voices.models import (
    Voice,
    VoiceComment,
    VoiceEvent,
    VoiceEventKind,
    VoiceKind,
    VoiceNotify,
    VoiceOutcome,
    VoiceReport,
    VoiceSource,
    VoiceStatus,
    VoiceSupport,
)
from miroir.voices.services import (
    claim_code_new,
    claim_digest,
    texts_redacted,
    unit_manager,
    voice_deadline,
)

PART = "voices"
DAYS = 365

# The planted asymmetry: share answered, median days to answer (log-normal spread), and
# share adopted among the answered, per side.
PLANTED: dict[str, dict[str, float]] = {
    "customer": {"answer_rate": 0.92, "median_days": 6.0, "adopt_rate": 0.55},
    "employee": {"answer_rate": 0.45, "median_days": 38.0, "adopt_rate": 0.30},
}
SPREAD = 0.6
PER_SHOP = {"complaint": 10, "suggestion": 8, "irritant": 3, "testimonial": 2, "best_failure": 1}

TEXTS: dict[str, list[tuple[str, str]]] = {
    "complaint": [
        (
            "Attente en caisse",
            "Vingt minutes d'attente en caisse un samedi, une seule caisse ouverte.",
        ),
        ("Produit introuvable", "Le produit de la promotion était en rupture dès l'ouverture."),
        ("Accueil", "Personne pour me renseigner au rayon, j'ai dû chercher un vendeur."),
        ("Propreté", "Les cabines d'essayage étaient sales et encombrées."),
        ("Retour refusé", "On m'a refusé un retour alors que j'avais le ticket de caisse."),
        ("Livraison en retard", "Ma commande est arrivée avec une semaine de retard."),
    ],
    "suggestion": [
        (
            "Deuxième caisse le samedi",
            "Ouvrir une deuxième caisse le samedi pour réduire l'attente en caisse.",
        ),
        ("Alerte rupture", "Prévenir le rayon dès qu'un produit en promotion est en rupture."),
        ("Badge conseiller", "Un badge visible pour que les clients trouvent un vendeur au rayon."),
        ("Tournée cabines", "Une tournée de rangement des cabines d'essayage toutes les heures."),
        ("Retours simplifiés", "Autoriser le retour sans ticket avec la carte de fidélité."),
        ("Planning partagé", "Afficher le planning deux semaines à l'avance en salle de pause."),
    ],
    "irritant": [
        (
            "Terminal lent",
            "Le terminal de paiement met une minute à répondre aux heures de pointe.",
        ),
        ("Stock introuvable", "Impossible de savoir si un article est en réserve sans aller voir."),
    ],
    "testimonial": [
        (
            "Une cliente ravie",
            "Une cliente est revenue nous remercier pour le conseil de la semaine passée.",
        ),
        ("Entraide", "L'équipe du soir a aidé à la mise en rayon, tout était prêt à l'ouverture."),
    ],
    "best_failure": [
        (
            "L'inventaire raté",
            "Inventaire raté faute d'étiquettes ; sa check-list sert à tous.",
        ),
    ],
}
EFFECTS = [
    "Attente moyenne en caisse passée de 12 à 6 minutes le samedi.",
    "Ruptures signalées en moins d'une heure au rayon.",
    "Moins de réclamations sur l'accueil le trimestre suivant.",
]
MOMENT_FOR = {"irritant": "checkout", "complaint": None}
COMMENT = "Oui, et on pourrait commencer par les samedis."


def _delay(rng: random.Random, median: float) -> float:
    return median * math.exp(rng.gauss(0.0, SPREAD))


def _redacted(texts: list[str]) -> dict[str, str]:
    """Return each distinct text with names removed, as the app does on submission."""
    distinct = sorted(set(texts) - {""})
    return dict(zip(distinct, texts_redacted(distinct, language="fr"), strict=True))


def _redact(voices: list[Voice]) -> None:
    """Set the redacted texts of the demo's voices (a few distinct texts, redacted once)."""
    fields = ("title", "text", "answer", "effect")
    done = _redacted([getattr(v, name) for v in voices for name in fields])
    for voice in voices:
        for name in fields:
            setattr(voice, f"redacted_{name}", done.get(getattr(voice, name), ""))


def _themes_of(kind: str) -> dict[str, list[str]]:
    return {text: voice_text.themes(f"{title}\n{text}") for title, text in TEXTS[kind]}


@demo_part(name=PART, order=50)
def build_voices(ctx: DemoContext) -> None:
    """Create a year of voices in every shop, answered as the planted asymmetry says."""
    rng = ctx.rng(PART)
    shops: list[Unit] = ctx.units.get(UnitKind.SHOP.value, [])
    moments = {moment.code: moment for moment in Moment.objects.all()}
    themes = {kind: _themes_of(kind) for kind in TEXTS}
    voices: list[Voice] = []
    for shop in ctx.progress(shops, desc="voices"):
        owner = unit_manager(shop)
        staff = [m for m in ctx.members(shop) if m.is_active] + [
            m
            for team in ctx.units.get(UnitKind.TEAM.value, [])
            if team.parent_id == shop.pk
            for m in ctx.members(team)
        ]
        for kind, count in PER_SHOP.items():
            for _n in range(count):
                voices.append(_voice(ctx, rng, shop, owner, kind, staff, moments, themes))
    voices += _persona_voices(ctx, moments)
    _redact(voices)
    with transaction.atomic():
        Voice.objects.bulk_create(voices, batch_size=500)
        _events(voices)
        _supports(ctx, rng, voices)
    _record(ctx, voices)


def _voice(
    ctx: DemoContext,
    rng: random.Random,
    shop: Unit,
    owner: Member | None,
    kind: str,
    staff: list[Member],
    moments: dict[str, Moment],
    themes: dict[str, dict[str, list[str]]],
) -> Voice:
    title, text = rng.choice(TEXTS[kind])
    received_at = ctx.now - timedelta(days=rng.uniform(0, DAYS))
    customer = kind == VoiceKind.COMPLAINT
    author = rng.choice(staff) if staff and not customer else None
    anonymous = not customer and rng.random() < 0.4
    lens = Lens.CUSTOMER if customer else (author.lens if author else Lens.EMPLOYEE)
    if anonymous:
        received_at = received_at.replace(hour=0, minute=0, second=0, microsecond=0)
    voice = Voice(
        kind=kind,
        lens=lens,
        source=VoiceSource.API if customer else VoiceSource.APP,
        unit=author.unit if author else shop,
        moment=moments.get(MOMENT_FOR.get(kind) or ""),
        title=title,
        text=text,
        themes=themes[kind][text],
        author=None if anonymous or customer else author,
        is_anonymous=anonymous,
        claim_digest=claim_digest(claim_code_new()) if anonymous else None,
        notify=VoiceNotify.NONE if anonymous or customer else VoiceNotify.APP,
        received_at=received_at,
        due_at=voice_deadline(kind, received_at),
        owner=owner,
    )
    planted = PLANTED["customer" if customer else "employee"]
    answered_at = received_at + timedelta(days=_delay(rng, planted["median_days"]))
    if rng.random() < planted["answer_rate"] and answered_at < ctx.now:
        adopted = rng.random() < planted["adopt_rate"]
        voice.status = VoiceStatus.ANSWERED
        voice.answered_at = answered_at
        voice.acknowledged_at = received_at + (answered_at - received_at) / 3
        voice.answered_by = owner
        if adopted and rng.random() < 0.5:
            voice.outcome = VoiceOutcome.IMPLEMENTED
            voice.effect = rng.choice(EFFECTS)
            voice.answer = "Mis en place dans le magasin."
        elif adopted:
            voice.outcome = VoiceOutcome.ADOPTED
            voice.answer = "Bonne idée : nous la mettons en place."
        else:
            voice.outcome = VoiceOutcome.DECLINED
            voice.answer = "Pas possible pour l'instant : le budget de l'année est engagé."
    elif rng.random() < 0.5:
        voice.status = VoiceStatus.ACKNOWLEDGED
        voice.acknowledged_at = received_at + timedelta(days=2)
    if voice.status != VoiceStatus.ANSWERED and voice.due_at <= ctx.now:
        voice.escalated_at = voice.due_at
        voice.escalated_to = unit_manager(shop.parent) if shop.parent_id else None
    return voice


def _persona_voices(ctx: DemoContext, moments: dict[str, Moment]) -> list[Voice]:
    """Return signed voices of the demo employee, so that "My voices" shows both outcomes."""
    employee = ctx.personas.get("employee")
    if employee is None:
        return []
    owner = unit_manager(employee.unit)
    done_at = ctx.now - timedelta(days=60)
    open_at = ctx.now - timedelta(days=4)
    title, text = TEXTS["suggestion"][0]
    implemented = Voice(
        kind=VoiceKind.SUGGESTION,
        lens=employee.lens,
        source=VoiceSource.APP,
        unit=employee.unit,
        title=title,
        text=text,
        author=employee,
        notify=VoiceNotify.APP,
        received_at=done_at,
        due_at=voice_deadline(VoiceKind.SUGGESTION, done_at),
        owner=owner,
        answered_by=owner,
        status=VoiceStatus.ANSWERED,
        outcome=VoiceOutcome.IMPLEMENTED,
        answer="Mis en place dans le magasin.",
        effect=EFFECTS[0],
        acknowledged_at=done_at + timedelta(days=1),
        answered_at=done_at + timedelta(days=9),
        answer_unread=True,
    )
    title, text = TEXTS["irritant"][0]
    waiting = Voice(
        kind=VoiceKind.IRRITANT,
        lens=employee.lens,
        source=VoiceSource.APP,
        unit=employee.unit,
        moment=moments.get("checkout"),
        title=title,
        text=text,
        author=employee,
        notify=VoiceNotify.APP,
        received_at=open_at,
        due_at=voice_deadline(VoiceKind.IRRITANT, open_at),
        owner=owner,
    )
    return [implemented, waiting]


def _events(voices: list[Voice]) -> None:
    events = [VoiceEvent(voice=v, kind=VoiceEventKind.RECEIVED, at=v.received_at) for v in voices]
    events += [
        VoiceEvent(voice=v, kind=VoiceEventKind.ANSWERED, at=v.answered_at, text=v.answer)
        for v in voices
        if v.answered_at
    ]
    VoiceEvent.objects.bulk_create(events, batch_size=1000)


def _supports(ctx: DemoContext, rng: random.Random, voices: list[Voice]) -> None:
    members = [m for unit_members in ctx.members_by_unit.values() for m in unit_members]
    members = [m for m in members if m.contract_type != ContractType.PARTNER] or members
    supports: list[VoiceSupport] = []
    comments: list[VoiceComment] = []
    comment_shown = _redacted([COMMENT])[COMMENT]
    for voice in voices:
        if voice.kind not in (VoiceKind.SUGGESTION, VoiceKind.BEST_FAILURE) or not members:
            continue
        chosen = rng.sample(members, k=min(len(members), int(rng.expovariate(1 / 3))))
        supports += [VoiceSupport(voice=voice, member=m) for m in chosen]
        voice.support_count = len(chosen)
        if chosen and rng.random() < 0.3:
            comments.append(
                VoiceComment(
                    voice=voice,
                    author=chosen[0],
                    text=COMMENT,
                    redacted_text=comment_shown,
                    created_at=voice.received_at + timedelta(days=1),
                )
            )
    VoiceSupport.objects.bulk_create(supports, batch_size=1000)
    VoiceComment.objects.bulk_create(comments, batch_size=1000)
    Voice.objects.bulk_update(
        [v for v in voices if v.support_count], ["support_count"], batch_size=500
    )


def _record(ctx: DemoContext, voices: list[Voice]) -> None:
    summary: dict[str, Any] = {}
    for side in ("customer", "employee"):
        mine = [v for v in voices if (v.lens == Lens.CUSTOMER) == (side == "customer")]
        summary[side] = {"received": len(mine), **PLANTED[side]}
    ctx.record(PART, "planted", summary)
    ctx.record(PART, "count", len(voices))


@demo_reset(name=PART)
def reset_voices() -> None:
    """Delete every voice with its events, supports, comments and reports."""
    VoiceReport.objects.all().delete()
    VoiceComment.objects.all().delete()
    VoiceSupport.objects.all().delete()
    VoiceEvent.objects.all().delete()
    Voice.objects.filter(merged_into__isnull=False).update(merged_into=None)
    Voice.objects.all().delete()
