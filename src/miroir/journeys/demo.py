"""The demo's satisfaction maps: the employee journey rated in every shop, closed and published.

Employees of each shop (and its teams) rate every moment of the employee journey; each shop's
manager gives their attributed estimate. In one shop out of three the manager and the team
disagree (planted): the manager sees day-to-day management and rotas as going well and as no
moments of truth, while the team rates them low and calls them moments of truth. The planted
shops are written to the demo's truth (``journeys.disagreeing_shops``).
"""

from __future__ import annotations

from datetime import timedelta

from miroir.demo.context import DemoContext
from miroir.demo.registry import demo_part, demo_reset
from miroir.journeys.models import (
    Journey,
    MapAnswer,
    MapPublication,
    MapResponse,
    MapWave,
    MapWaveStatus,
    PainPoint,
)
from miroir.journeys.selectors import map_moments
from miroir.journeys.services import map_wave_close
from miroir.org.models import Lens, Role, RoleKind, Unit

PART = "journeys"
PLANTED = ("daily_management", "schedules")
# Moments the whole network finds harder than the rest (a shop's reality, not a plant).
HARD = {"tools_workplace": -0.6, "career_moves": -0.8, "onboarding": -0.3}
SOLUTIONS = {
    "daily_management": "Un point d'équipe de dix minutes chaque matin pour savoir qui fait quoi.",
    "schedules": "Publier les plannings trois semaines à l'avance et les échanges de créneaux.",
    "tools_workplace": "Des terminaux de caisse qui ne plantent pas le samedi.",
    "training": "Une demi-journée de formation produit à chaque nouvelle collection.",
    "recognition": "Dire merci en réunion quand un client nous félicite.",
}
EMOTION_BY_SCORE = {1: "anger", 2: "frustration", 3: "worry", 4: "trust", 5: "joy"}


@demo_part(name=PART, order=60)
def build_maps(ctx: DemoContext) -> None:
    """Answer and close a map wave of the employee journey over the whole network."""
    if ctx.company is None:
        return
    rng = ctx.rng(PART)
    journey = Journey.objects.get(code="employee")
    wave = MapWave.objects.create(
        name="Carte du parcours collaborateur",
        journey=journey,
        unit=ctx.company,
        status=MapWaveStatus.OPEN,
        closes_at=ctx.now - timedelta(days=3),
        opened_at=ctx.now - timedelta(days=24),
        threshold_scores=5,
        threshold_verbatims=10,
    )
    moments = map_moments(wave)
    answered_on = (ctx.now - timedelta(days=10)).date()
    managers = {
        role.unit_id: role.member
        for role in Role.objects.filter(kind=RoleKind.MANAGER).select_related("member")
    }
    planted: list[str] = []
    answers: list[MapAnswer] = []
    for index, shop in enumerate(ctx.units.get("shop", [])):
        disagree = index % 3 == 0
        if disagree:
            planted.append(shop.name)
        level = rng.uniform(-0.4, 0.4)
        units = [shop, *Unit.objects.filter(parent=shop)]
        for unit in units:
            for member in ctx.members_by_unit.get(unit.pk, []):
                if member.contract_type == "partner" or managers.get(shop.pk) == member:
                    continue
                response = MapResponse.objects.create(
                    wave=wave, unit=unit, lens=Lens.EMPLOYEE, submitted_on=answered_on
                )
                for moment in moments:
                    low = disagree and moment.code in PLANTED
                    mean = 2.0 if low else 3.7 + level + HARD.get(moment.code, 0)
                    score = min(5, max(1, round(rng.gauss(mean, 0.8))))
                    truth = rng.random() < (0.85 if low else 0.35)
                    solution = ""
                    if moment.code in SOLUTIONS and rng.random() < (0.5 if low else 0.15):
                        solution = SOLUTIONS[moment.code]
                    answers.append(_answer(response, moment, score, truth, solution))
        manager = managers.get(shop.pk)
        if manager is not None:
            estimate = MapResponse.objects.create(
                wave=wave, unit=shop, lens=Lens.MANAGEMENT, submitted_on=answered_on,
                manager=manager,
            )  # fmt: skip
            for moment in moments:
                planted_here = disagree and moment.code in PLANTED
                score = 5 if planted_here else min(5, max(1, round(3.9 + level)))
                truth = False if planted_here else moment.code in ("first_day", "onboarding")
                solution = SOLUTIONS["training"] if moment.code == "training" else ""
                answers.append(_answer(estimate, moment, score, truth, solution))
    MapAnswer.objects.bulk_create(answers, batch_size=2000)
    map_wave_close(wave=wave, actor=None)
    ctx.record(PART, "disagreeing_shops", planted)


def _answer(response: MapResponse, moment, score: int, truth: bool, solution: str) -> MapAnswer:
    return MapAnswer(
        response=response,
        moment=moment,
        satisfaction=score,
        emotion=EMOTION_BY_SCORE[score],
        moment_of_truth=truth,
        solution=solution,
    )


@demo_reset(name=PART)
def reset_maps() -> None:
    PainPoint.objects.all().delete()
    MapPublication.objects.all().delete()
    MapAnswer.objects.all().delete()
    MapResponse.objects.all().delete()
    MapWave.objects.all().delete()
