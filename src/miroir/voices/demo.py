"""The voices' demo part: a year of voices with a planted listening asymmetry.

Customer complaints are answered faster, more often within their deadline, and more
often acted on than employee voices, as in the barometer that started Miroir; the
listening metrics must show it. The planted parameters are written once, here, and
recorded as the ground truth of the asymmetry (``demo_truth("voices", "planted")``).

The voices read as a shop's would: every answer replies to what was said, complaints are
never turned down (a shop apologises and acts), testimonials and best failures are thanked
within days, and a voice is still open only while its answer is being prepared — so the
inbox shows mostly voices within their deadline and a few overdue ones, escalated. The
demo manager's shop also has a voice of each kind in each state of the life cycle.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from miroir.demo.context import DemoContext
from miroir.demo.registry import demo_part, demo_reset
from miroir.journeys.models import Moment
from miroir.org.models import ContractType, Lens, Member, Unit, UnitKind
from miroir.voices import text as voice_text
from miroir.voices.claims import claim_code_new, claim_digest
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
from miroir.voices.services import anonymous_unit, texts_redacted, unit_manager, voice_deadline

PART = "voices"
DAYS = 365

# The planted asymmetry, per side: median days to answer (log-normal spread) and the
# share of the answered that is acted on (adopted or implemented). Deadlines are the same
# for both sides (settings): the slower side answers fewer voices within theirs.
PLANTED: dict[str, dict[str, float]] = {
    "customer": {"median_days": 4.0, "adopt_rate": 1.0},
    "employee": {"median_days": 19.0, "adopt_rate": 0.35},
}
# Thanks for a testimonial or a best failure come within days.
THANKS_MEDIAN_DAYS = 3.0
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
# What the shop answers to each text: (adopted answer, implemented answer, effect,
# declined answer). Complaints are never declined.
ANSWERS: dict[str, tuple[str, str, str, str]] = {
    "Attente en caisse": (
        "Toutes nos excuses : nous ouvrons une deuxième caisse le samedi dès 11 h.",
        "Une deuxième caisse est désormais ouverte chaque samedi de 11 h à 18 h.",
        "Attente moyenne en caisse passée de 12 à 6 minutes le samedi.",
        "",
    ),
    "Produit introuvable": (
        "Toutes nos excuses : nous vous prévenons dès le retour du produit en rayon.",
        "Les quantités des promotions sont revues avec le magasin avant chaque opération.",
        "Ruptures le premier jour des promotions divisées par deux.",
        "",
    ),
    "Accueil": (
        "Toutes nos excuses : un vendeur est désormais présent en permanence au rayon.",
        "Un conseiller identifié est présent au rayon aux heures d'affluence.",
        "Moins de réclamations sur l'accueil le trimestre suivant.",
        "",
    ),
    "Propreté": (
        "Toutes nos excuses : les cabines sont maintenant rangées toutes les heures.",
        "Une tournée de rangement des cabines a lieu toutes les heures.",
        "Plus aucune remarque sur les cabines depuis deux mois.",
        "",
    ),
    "Retour refusé": (
        "Toutes nos excuses : votre retour est accepté, présentez-vous en caisse.",
        "La procédure de retour avec ticket a été rappelée à toute l'équipe.",
        "Aucun retour refusé à tort depuis le rappel de la procédure.",
        "",
    ),
    "Livraison en retard": (
        "Toutes nos excuses : les frais de livraison vous sont remboursés.",
        "Le transporteur a été changé pour les livraisons de la région.",
        "Délai de livraison moyen ramené de 9 à 4 jours.",
        "",
    ),
    "Deuxième caisse le samedi": (
        "Bonne idée : nous l'essayons dès le mois prochain.",
        "Une deuxième caisse est ouverte le samedi de 11 h à 18 h.",
        "Attente moyenne en caisse passée de 12 à 6 minutes le samedi.",
        "Pas cette saison : l'équipe du samedi est déjà au complet en caisse.",
    ),
    "Alerte rupture": (
        "Bonne idée : la réserve préviendra le rayon par la radio.",
        "La réserve prévient le rayon par la radio dès qu'une promotion est en rupture.",
        "Ruptures signalées en moins d'une heure au rayon.",
        "Pas possible pour l'instant : le logiciel de stock ne le permet pas encore.",
    ),
    "Badge conseiller": (
        "Bonne idée : les badges sont commandés.",
        "Chaque vendeur porte un badge « conseiller » visible.",
        "Moins de réclamations sur l'accueil le trimestre suivant.",
        "Pas pour l'instant : la tenue de la marque est fixée pour l'année.",
    ),
    "Tournée cabines": (
        "Bonne idée : nous l'ajoutons au planning.",
        "Une tournée de rangement des cabines a lieu toutes les heures.",
        "Plus aucune remarque sur les cabines depuis deux mois.",
        "Pas possible en semaine : l'effectif ne le permet pas ; nous le faisons le samedi.",
    ),
    "Retours simplifiés": (
        "Bonne idée : nous la proposons à la direction commerciale.",
        "Le retour sans ticket est accepté avec la carte de fidélité.",
        "Temps moyen d'un retour en caisse passé de 8 à 3 minutes.",
        "Pas possible : les règles de retour sont fixées pour toute l'enseigne.",
    ),
    "Planning partagé": (
        "Bonne idée : le planning sera affiché deux semaines à l'avance.",
        "Le planning est affiché en salle de pause deux semaines à l'avance.",
        "Moins d'échanges de créneaux de dernière minute.",
        "Pas encore : les plannings dépendent des livraisons, connues une semaine avant.",
    ),
    "Terminal lent": (
        "Merci : le terminal est signalé au service informatique.",
        "Le terminal de paiement a été remplacé.",
        "Paiement par carte en moins de 10 secondes aux heures de pointe.",
        "Le remplacement des terminaux est prévu l'an prochain pour toute l'enseigne.",
    ),
    "Stock introuvable": (
        "Merci : le stock de la réserve sera visible sur les terminaux du rayon.",
        "Le stock de la réserve est visible sur les terminaux du rayon.",
        "Moins d'allers-retours à la réserve pendant le conseil.",
        "Pas possible pour l'instant : le logiciel de stock ne le permet pas encore.",
    ),
    "Une cliente ravie": (
        "Merci pour ce partage : nous l'avons lu à toute l'équipe.",
        "Merci pour ce partage : il est affiché au tableau de l'équipe.",
        "",
        "",
    ),
    "Entraide": (
        "Merci à l'équipe du soir : c'est noté et partagé au magasin.",
        "Merci à l'équipe du soir : c'est noté et partagé au magasin.",
        "",
        "",
    ),
    "L'inventaire raté": (
        "Merci pour ce retour d'expérience : la check-list est partagée à la région.",
        "La check-list d'inventaire est utilisée par tous les magasins de la région.",
        "Aucun inventaire à refaire depuis la check-list.",
        "",
    ),
}
THANKED = (VoiceKind.TESTIMONIAL, VoiceKind.BEST_FAILURE)
# The demo manager's shop shows each kind in each open state (the answered one too).
SHOWCASE_STATES = (
    VoiceStatus.RECEIVED,
    VoiceStatus.ACKNOWLEDGED,
    VoiceStatus.STUDYING,
    VoiceStatus.ANSWERED,
)
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
    filed = _AnonymousUnits()
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
                voices.append(_voice(ctx, rng, shop, owner, kind, staff, moments, themes, filed))
    voices += _persona_voices(ctx, moments)
    voices += _showcase(ctx, moments, themes, filed)
    _redact(voices)
    with transaction.atomic():
        Voice.objects.bulk_create(voices, batch_size=500)
        _events(voices)
        _supports(ctx, rng, voices)
    _record(ctx, voices)


class _AnonymousUnits(dict):
    """The unit an anonymous voice of each team and lens is filed under, looked up once."""

    def of(self, author: Member) -> Unit:
        key = (author.unit_id, author.lens)
        if key not in self:
            self[key] = anonymous_unit(author)
        return self[key]


def _voice(
    ctx: DemoContext,
    rng: random.Random,
    shop: Unit,
    owner: Member | None,
    kind: str,
    staff: list[Member],
    moments: dict[str, Moment],
    themes: dict[str, dict[str, list[str]]],
    filed: _AnonymousUnits,
) -> Voice:
    title, text = rng.choice(TEXTS[kind])
    received_at = ctx.now - timedelta(days=rng.uniform(0, DAYS))
    customer = kind == VoiceKind.COMPLAINT
    author = rng.choice(staff) if staff and not customer else None
    anonymous = not customer and rng.random() < 0.4
    lens = Lens.CUSTOMER if customer else (author.lens if author else Lens.EMPLOYEE)
    unit = author.unit if author else shop
    if anonymous:
        received_at = received_at.replace(hour=0, minute=0, second=0, microsecond=0)
        if author:
            # Filed as voice_submit files it: never under a team small enough to name them.
            unit = filed.of(author)
            owner = unit_manager(unit) if unit != shop else owner
    voice = Voice(
        kind=kind,
        lens=lens,
        source=VoiceSource.API if customer else VoiceSource.APP,
        unit=unit,
        moment=moments.get(MOMENT_FOR.get(kind) or ""),
        title=title,
        text=text,
        themes=themes[kind][text],
        author=None if anonymous or customer else author,
        is_anonymous=anonymous,
        language="" if anonymous else "fr",
        claim_digest=claim_digest(claim_code_new()) if anonymous else None,
        notify=VoiceNotify.NONE if anonymous or customer else VoiceNotify.APP,
        received_at=received_at,
        due_at=voice_deadline(kind, received_at),
        owner=owner,
    )
    planted = PLANTED["customer" if customer else "employee"]
    median = THANKS_MEDIAN_DAYS if kind in THANKED else planted["median_days"]
    answered_at = received_at + timedelta(days=_delay(rng, median))
    if answered_at < ctx.now:
        _answer(voice, rng, owner, answered_at, adopt_rate=planted["adopt_rate"])
    elif rng.random() < 0.6:
        # Being prepared: acknowledged within two days, some already under study.
        voice.acknowledged_at = min(ctx.now, received_at + timedelta(days=rng.uniform(0.1, 2)))
        voice.status = VoiceStatus.STUDYING if rng.random() < 0.4 else VoiceStatus.ACKNOWLEDGED
    if voice.status != VoiceStatus.ANSWERED and voice.due_at <= ctx.now:
        voice.escalated_at = voice.due_at
        voice.escalated_to = unit_manager(unit.parent) if unit.parent_id else None
    return voice


def _answer(
    voice: Voice,
    rng: random.Random,
    owner: Member | None,
    answered_at: datetime,
    *,
    adopt_rate: float,
    outcome: str | None = None,
) -> None:
    """Answer ``voice`` at ``answered_at`` with the answer its text calls for."""
    adopted_text, implemented_text, effect, declined_text = ANSWERS[voice.title]
    if outcome is None:
        if voice.kind in THANKED:
            thank_with_effect = voice.kind == VoiceKind.BEST_FAILURE and rng.random() < 0.5
            outcome = VoiceOutcome.IMPLEMENTED if thank_with_effect else VoiceOutcome.ADOPTED
        elif rng.random() < adopt_rate:
            outcome = VoiceOutcome.IMPLEMENTED if rng.random() < 0.5 else VoiceOutcome.ADOPTED
        else:
            outcome = VoiceOutcome.DECLINED
    voice.status = VoiceStatus.ANSWERED
    voice.outcome = outcome
    voice.answered_at = answered_at
    voice.acknowledged_at = voice.received_at + (answered_at - voice.received_at) / 3
    voice.answered_by = owner
    if outcome == VoiceOutcome.IMPLEMENTED and effect:
        voice.answer, voice.effect = implemented_text, effect
    elif outcome == VoiceOutcome.DECLINED:
        voice.answer = declined_text
    else:
        voice.outcome = VoiceOutcome.ADOPTED
        voice.answer = adopted_text


def _showcase(
    ctx: DemoContext, moments: dict[str, Moment], themes: dict, filed: _AnonymousUnits
) -> list[Voice]:
    """Return, at the demo manager's shop, a recent voice of each kind in each state."""
    manager = ctx.personas.get("shop_manager")
    employee = ctx.personas.get("employee")
    if manager is None or employee is None:
        return []
    shop = employee.unit if employee.unit.kind == UnitKind.SHOP else employee.unit.parent
    owner = unit_manager(shop)
    voices = []
    for kind_index, kind in enumerate(PER_SHOP):
        for state_index, status in enumerate(SHOWCASE_STATES):
            number = kind_index * len(SHOWCASE_STATES) + state_index
            title, text = TEXTS[kind][number % len(TEXTS[kind])]
            customer = kind == VoiceKind.COMPLAINT
            received_at = ctx.now - timedelta(days=1 + state_index * 2, hours=kind_index)
            anonymous = not customer and state_index % 2 == 1
            author = None if customer or anonymous else employee
            unit = shop
            if anonymous:
                received_at = received_at.replace(hour=0, minute=0, second=0, microsecond=0)
                unit = filed.of(employee)
            voice = Voice(
                kind=kind,
                lens=Lens.CUSTOMER if customer else Lens.EMPLOYEE,
                source=VoiceSource.API if customer else VoiceSource.APP,
                unit=unit,
                moment=moments.get(MOMENT_FOR.get(kind) or ""),
                title=title,
                text=text,
                themes=themes[kind][text],
                author=author,
                is_anonymous=anonymous,
                language="" if anonymous else "fr",
                claim_digest=claim_digest(claim_code_new()) if anonymous else None,
                notify=VoiceNotify.APP if author else VoiceNotify.NONE,
                received_at=received_at,
                due_at=voice_deadline(kind, received_at),
                owner=owner,
            )
            if status != VoiceStatus.RECEIVED:
                voice.status = status
                voice.acknowledged_at = received_at + timedelta(hours=6)
            if status == VoiceStatus.ANSWERED:
                outcome = VoiceOutcome.IMPLEMENTED if kind_index % 2 else VoiceOutcome.ADOPTED
                _answer(
                    voice,
                    random.Random(number),
                    owner,
                    received_at + timedelta(days=1),
                    adopt_rate=1.0,
                    outcome=outcome,
                )
            voices.append(voice)
    return voices


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
        answer=ANSWERS[title][1],
        effect=ANSWERS[title][2],
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
    # Anonymous voices keep no "received" event, as on intake: their day is all that is known.
    events = [
        VoiceEvent(voice=v, kind=VoiceEventKind.RECEIVED, at=v.received_at)
        for v in voices
        if not v.is_anonymous
    ]
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
    summary["spread"] = SPREAD
    summary["thanks_median_days"] = THANKS_MEDIAN_DAYS
    summary["deadline_days"] = dict(settings.VOICES_DEADLINE_DAYS)
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
