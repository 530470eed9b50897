"""The results' part of the demo: the roll-ups of every response, then their publication.

The survey comments are analysed too (names removed, themes, sentiment), as the
background job ``results.analyse_pending_comments`` does on a running server.

Roll-ups are computed from the responses the collection part wrote in bulk. Then, as in a
real network once a quarter is over, the direction publishes the company's results of the
last closed period to everyone, and about half of the shop managers publish their shop's
(the demo manager's shop always, so the demo employee reads both), each with a short
message. They go through ``publication_publish`` with the publisher as the actor, so the
audit log has every one. Recorded as ground truth: ``results.publications``.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from miroir.demo.context import DemoContext
from miroir.demo.registry import demo_part, demo_reset
from miroir.org.models import Member, Role, RoleKind, Unit, UnitKind
from miroir.org.selectors import Scope
from miroir.results.models import CommentAnalysis, Publication, Rollup, RollupResponses
from miroir.results.periods import Period, period_of
from miroir.results.selectors import results_periods
from miroir.results.services import (
    comments_analyse_pending,
    publication_publish,
    rollups_rebuild,
)

PART = "results"
PUBLICATIONS = "publications"
COMMENTS = "comments"
# Besides the demo manager's shop, which always publishes.
SHOP_PUBLISH_SHARE = 0.5
# Publications come in over the first weeks after the period ends, the direction's first.
PUBLISH_WINDOW = timedelta(days=21)
DIRECTION_DELAY = (0.05, 0.25)
MANAGER_DELAY = (0.15, 1.0)

# Demo data of a French network, like the voices' texts: French whatever the interface
# language. ``{period}`` reads "le 4e trimestre 2025" (see ``_period_words``).
COMPANY_MESSAGE = (
    "Merci à chacune et à chacun d'avoir pris le temps de répondre au pulse miroir. Voici "
    "les résultats de l'entreprise pour {period}, tels que vous et nos clients les avez "
    "exprimés. Vos directeurs de magasin partagent aussi ceux de leur magasin : parlez-en "
    "avec eux, c'est comme ça que l'on progresse.\n"
    "{first_name} {last_name}, {job_title}"
)
SHOP_MESSAGES: tuple[str, ...] = (
    "Merci à toutes et à tous d'avoir répondu au pulse miroir ! Voici les résultats du "
    "magasin pour {period}. On en parle au brief de lundi matin.\n{first_name}",
    "Voici nos résultats pour {period}. Ce sont vos réponses, sans filtre : ce qui va bien "
    "et ce qui coince. Je compte sur vous pour proposer des idées, la boîte à suggestions "
    "est ouverte.",
    "{shop}, bravo pour la participation ! Prenez cinq minutes pour regarder les chiffres et "
    "venez me voir si quelque chose vous surprend. Les points à améliorer seront affichés en "
    "salle de pause.",
    "Comme promis, je partage nos résultats pour {period}. Prochaine étape : un atelier "
    "« Vous avez dit, nous avons fait » jeudi après la fermeture, café & viennoiseries "
    "offerts.\n{first_name}",
    "Résultats pour {period} : merci pour votre franchise. Deux sujets ressortent, on les "
    "travaille ensemble en réunion d'équipe et je vous tiens au courant.",
)
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@demo_part(name=PART, order=90)
def build_results(ctx: DemoContext) -> None:
    """Compute the roll-ups from the demo's responses (written in bulk, not through intake)."""
    rollups_rebuild()


@demo_part(name=COMMENTS, order=92)
def build_comments(ctx: DemoContext) -> None:
    """Analyse the survey comments as the background job would: names, themes, sentiment."""
    comments_analyse_pending(limit=None)
    moods = dict(
        CommentAnalysis.objects.values_list("sentiment").annotate(n=Count("pk")).order_by()
    )
    ctx.record(PART, COMMENTS, {"analysed": sum(moods.values()), "sentiments": moods})


@demo_part(name=PUBLICATIONS, order=95)
def build_publications(ctx: DemoContext) -> None:
    """Publish the last closed period's results: the company's, and about half the shops'."""
    period = _last_closed_period(ctx)
    company = ctx.company
    if period is None or company is None:
        ctx.record(PART, PUBLICATIONS, {"period": None, "units": []})
        return
    rng = ctx.rng(f"{PART}.{PUBLICATIONS}")
    # The morning after the period ends (or now, on that very morning).
    ended = min(timezone.make_aware(datetime.combine(period.end, time(9))), ctx.now)
    window = min(PUBLISH_WINDOW, ctx.now - ended)
    published: list[Unit] = []

    direction = ctx.personas.get("direction")
    if direction is not None:
        _publish(
            company,
            period,
            publisher=direction,
            scope=None,
            message=COMPANY_MESSAGE,
            at=_during_work(ctx, rng, ended + window * rng.uniform(*DIRECTION_DELAY)),
        )
        published.append(company)

    manager_of = _shop_managers()
    persona = ctx.personas.get("shop_manager")
    for shop in ctx.progress(ctx.units.get(UnitKind.SHOP.value, []), desc="publications"):
        manager = manager_of.get(shop.pk)
        # Drawn for every shop, so that which shops publish does not depend on the others.
        chosen = rng.random() < SHOP_PUBLISH_SHARE
        template = rng.choice(SHOP_MESSAGES)
        at = _during_work(ctx, rng, ended + window * rng.uniform(*MANAGER_DELAY))
        is_persona = persona is not None and manager is not None and manager.pk == persona.pk
        if manager is None or not (chosen or is_persona):
            continue
        # The demo's shop managers hold one role, on their shop: their whole scope.
        scope = Scope(paths=(shop.path,), roles=frozenset({RoleKind.MANAGER}), member_id=manager.pk)
        _publish(
            shop,
            period,
            publisher=manager,
            scope=scope,
            message=template,
            at=at,
        )
        published.append(shop)
    ctx.record(
        PART,
        PUBLICATIONS,
        {"period": period.label, "units": [unit.external_id for unit in published]},
    )


def _last_closed_period(ctx: DemoContext) -> Period | None:
    """Return the latest period before the current one that holds responses (None: none)."""
    current = period_of(timezone.localdate(ctx.now))
    closed = [period for period in results_periods() if period < current]
    return closed[-1] if closed else None


def _during_work(ctx: DemoContext, rng: random.Random, at: datetime) -> datetime:
    """Return ``at`` moved to working hours of its day, and never after the demo's now."""
    local = timezone.localtime(at)
    moved = local.replace(
        hour=rng.randint(8, 18), minute=rng.randrange(60), second=0, microsecond=0
    )
    return min(moved, ctx.now)


def _shop_managers() -> dict[int, Member]:
    """Return each shop's manager by the shop's id, with their login when they have one."""
    roles = (
        Role.objects.filter(kind=RoleKind.MANAGER, unit__kind=UnitKind.SHOP, member__is_active=True)
        .select_related("member__user")
        .order_by("id")
    )
    managers: dict[int, Member] = {}
    for role in roles:
        if role.unit_id is not None:
            managers.setdefault(role.unit_id, role.member)
    return managers


def _period_words(period: Period) -> str:
    """Return the period as a French phrase with its article ("le 4e trimestre 2025")."""
    year = period.start.year
    if period.grain == "quarter":
        number = (period.start.month - 1) // 3 + 1
        return f"le {number}{'er' if number == 1 else 'e'} trimestre {year}"
    if period.grain == "month":
        return f"le mois de {MONTHS[period.start.month - 1]} {year}"
    return f"l'année {year}"


def _publish(
    unit: Unit,
    period: Period,
    *,
    publisher: Member,
    scope: Scope | None,
    message: str,
    at: datetime,
) -> None:
    # Through the service, as from the unit page: checked and audited. A publisher without
    # a login (most demo managers) acts as their member: the audit entry names them.
    actor = publisher.user if publisher.user_id else publisher
    text = message.format(
        period=_period_words(period),
        shop=unit.name,
        first_name=publisher.first_name,
        last_name=publisher.last_name,
        job_title=publisher.job_title.lower(),
    )
    publication_publish(
        unit=unit,
        period=period,
        actor=actor,
        message=text,
        scope=scope,
        now=at,
    )


@demo_reset(name=COMMENTS)
def reset_comments() -> None:
    """Delete the comments' analyses (they are made again from the answers)."""
    CommentAnalysis.objects.all().delete()


@demo_reset(name=PUBLICATIONS)
def reset_publications() -> None:
    """Delete every publication (the audit log keeps its entries)."""
    Publication.objects.all().delete()


@demo_reset(name=PART)
def reset_results() -> None:
    """Delete every roll-up row."""
    Rollup.objects.all().delete()
    RollupResponses.objects.all().delete()
