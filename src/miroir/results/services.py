"""Writes of the results: keeping the roll-ups up to date, on intake and by a rebuild.

``rollups_add`` runs inside the submission's transaction (``collect.services._store``):
two statements, ``INSERT … ON CONFLICT DO UPDATE`` adding the response's counts to its
rows, on PostgreSQL and SQLite alike. ``rollups_rebuild`` recomputes every row from the
responses with one ``GROUP BY`` per wave (``engine.tally.answer_groups``), for existing
data and the demo.

``releases_warm`` counts the releases the result pages read and shares them between the
server's processes (``engine.share``), so that a process started after a deployment or a
rebuild reads them instead of counting them on its first page.

``publication_publish`` and ``publication_withdraw`` decide which units' results their
employees and partners are shown (docs/results-pages.md, "Publishing to the team").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.accounts.models import User
from miroir.audit.services import audit_record
from miroir.collect.models import Answer, Response, Wave, lens_attribute
from miroir.core.events import event_emit
from miroir.core.inputs import text_clean
from miroir.org.models import Member, Unit
from miroir.org.selectors import Scope, scope_for_user
from miroir.results import gate
from miroir.results.engine import build, keep
from miroir.results.engine.tally import ROLLUP_SUMS, answer_groups, response_groups
from miroir.results.models import (
    PUBLICATION_MESSAGE_MAX,
    VALUE_RANGE,
    CommentAnalysis,
    Publication,
    Rollup,
    RollupResponses,
)
from miroir.results.periods import (
    Period,
    PeriodError,
    month_start,
    period_parse,
    release_grain,
)
from miroir.results.selectors.access import results_can_view
from miroir.results.selectors.units import results_periods

ROLLUP_KEY = ("wave_id", "unit_id", "item_id", "period", "attribute", "value", "choice")
RESPONSES_KEY = ("wave_id", "unit_id", "period", "attribute", "value")

logger = logging.getLogger(__name__)


def _answer_row(answer: Answer) -> tuple[str, dict[str, Any]]:
    """Return the choice key and the counts one answer adds."""
    counts: dict[str, Any] = dict.fromkeys(ROLLUP_SUMS, 0)
    if answer.dont_know:
        counts["dont_know"] = 1
        return "", counts
    if answer.choice is not None:
        counts["n"] = 1
        return answer.choice, counts
    if answer.number is None:
        raise ValueError(f"answer {answer.pk} holds no number, choice, text or don't know")
    number = float(answer.number)
    counts.update(n=1, total=number, total_squares=number * number)
    if number.is_integer() and int(number) in VALUE_RANGE:
        counts[f"v{int(number)}"] = 1
    return "", counts


def _rollup_rows(response: Response, answers: Iterable[Answer]) -> tuple[list[tuple], tuple]:
    """Return the ``Rollup`` rows one response adds, and its ``RollupResponses`` row."""
    attribute = lens_attribute(response.lens)
    value = str(response.attributes.get(attribute, "")) if attribute else ""
    key = (response.wave_id, response.unit_id)
    period = month_start(response.submitted_on)
    rows = []
    for answer in answers:
        if answer.text is not None:
            continue
        choice, counts = _answer_row(answer)
        rows.append(
            (
                *key,
                answer.item_id,
                period,
                attribute,
                value,
                choice,
                response.lens,
                *(counts[name] for name in ROLLUP_SUMS),
            )
        )
    return rows, (*key, period, attribute, value, response.lens, 1)


def rollups_add(*, response: Response, answers: Iterable[Answer]) -> None:
    """Add one stored response and its answers to the roll-ups (inside its transaction)."""
    for sql, params in rollups_upserts(response=response, answers=answers):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def rollups_upserts(
    *, response: Response, answers: Iterable[Answer], guard: str = ""
) -> list[tuple[str, list[Any]]]:
    """Return the statements (SQL, parameters) that add a response to the roll-ups.

    With ``guard``, a SQL condition, each statement adds its rows only where the condition
    holds, so that the caller can make them parts of one statement (``WITH …``) that stores
    the response (``collect.services._store``).
    """
    rows, responses = _rollup_rows(response, answers)
    statements = [
        _upsert_sql(Rollup, ROLLUP_KEY, ROLLUP_SUMS, rows, guard),
        _upsert_sql(RollupResponses, RESPONSES_KEY, ("responses",), [responses], guard),
    ]
    return [statement for statement in statements if statement is not None]


def _upsert_sql(
    model: type[Model], key: Sequence[str], sums: Sequence[str], rows: list[tuple], guard: str
) -> tuple[str, list[Any]] | None:
    """Return the statement adding ``rows`` (key values, lens, then sums) to ``model``'s table,
    creating missing rows; None for no rows.

    The lens follows from the wave: it is written on insert and never updated.
    """
    if not rows:
        return None
    sql = _upsert_text(model, tuple(key), tuple(sums), len(rows), guard, connection.vendor)
    return sql, [value for row in rows for value in row]


@lru_cache(maxsize=64)
def _upsert_text(
    model: type[Model],
    key: tuple[str, ...],
    sums: tuple[str, ...],
    count: int,
    guard: str,
    vendor: str,
) -> str:
    """Return the text of ``_upsert_sql``'s statement, built once per shape."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key, "lens", *sums]
    updates = ", ".join(
        f"{quote(name)} = {table}.{quote(name)} + EXCLUDED.{quote(name)}" for name in sums
    )
    # Only quoted column and table names of our own models are interpolated; values are
    # parameters.
    names = ", ".join(quote(name) for name in columns)
    conflict = ", ".join(quote(name) for name in key)
    if guard:
        # Typed placeholders: the rows are a VALUES list selected from, not inserted as such.
        by_column = {field.column: field for field in model._meta.concrete_fields}
        types = [by_column[name].cast_db_type(connection) for name in columns]
        first = "(" + ", ".join(f"CAST(%s AS {kind})" for kind in types) + ")"
        other = "(" + ", ".join(["%s"] * len(columns)) + ")"
        values = ", ".join([first] + [other] * (count - 1))
        sql = f"INSERT INTO {table} ({names}) SELECT * FROM (VALUES {values}) AS v "  # noqa: S608
        sql += f"WHERE {guard} "
    else:
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        values = ", ".join([one] * count)
        sql = f"INSERT INTO {table} ({names}) VALUES {values} "  # noqa: S608
    return sql + f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"


# -- recomputation --------------------------------------------------------------------------


def _as_date(value: Any) -> Any:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _rebuild_wave(wave: Wave) -> tuple[int, int]:
    attribute = lens_attribute(wave.lens)
    Rollup.objects.filter(wave=wave).delete()
    RollupResponses.objects.filter(wave=wave).delete()
    rollups = [
        Rollup(
            wave_id=row["wave_key"],
            unit_id=row["unit_key"],
            item_id=row["item_id"],
            lens=wave.lens,
            period=_as_date(row["period"]),
            attribute=attribute,
            value=row["segment_value"] or "",
            choice=row["choice_key"] or "",
            **{name: row[name] or 0 for name in ROLLUP_SUMS},
        )
        for row in answer_groups(Answer.objects.filter(response__wave=wave), lens=wave.lens)
    ]
    Rollup.objects.bulk_create(rollups, batch_size=2000)
    tallies = [
        RollupResponses(
            wave_id=row["wave_id"],
            unit_id=row["unit_id"],
            lens=wave.lens,
            period=_as_date(row["period"]),
            attribute=attribute,
            value=row["segment_value"] or "",
            responses=row["responses"],
        )
        for row in response_groups(Response.objects.filter(wave=wave), lens=wave.lens)
    ]
    RollupResponses.objects.bulk_create(tallies, batch_size=2000)
    return len(rollups), len(tallies)


def rollups_rebuild(
    *, waves: Iterable[Wave] | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Return how many waves and rows were rebuilt, recomputing roll-ups from the responses.

    Each wave is rebuilt in its own transaction; on PostgreSQL the roll-up tables are
    locked meanwhile, so a submission arriving during the rebuild waits for it and is
    counted exactly once.
    """
    chosen = list(Wave.objects.order_by("pk") if waves is None else waves)
    done = {"waves": 0, "rollups": 0, "responses": 0}
    if waves is None:
        # Rows of waves that no longer exist cannot remain; the cascade handles most.
        Rollup.objects.exclude(wave__in=Wave.objects.all()).delete()
    for index, wave in enumerate(chosen, start=1):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"LOCK TABLE {Rollup._meta.db_table}, {RollupResponses._meta.db_table} "
                        "IN EXCLUSIVE MODE"
                    )
            rollups, tallies = _rebuild_wave(wave)
        done["waves"] += 1
        done["rollups"] += rollups
        done["responses"] += tallies
        if progress is not None:
            progress(index, len(chosen))
    return done


# -- publication to the team ----------------------------------------------------------------


@dataclass(frozen=True)
class Warmed:
    """What ``releases_warm`` did: releases now shared, and how many it had to count."""

    releases: int
    counted: int


# Periods before the first one shown that a page reads too: the previous period's
# changes, and the linkage's lagged periods (``selectors.unit_linkage``, four by default).
WARM_PERIODS_BEFORE = 4


def _warm_targets(lenses: Sequence[str], latest: int | None) -> list[tuple[str, Period, bool]]:
    """Return (lens, period, with segments) of the releases the result pages read.

    Pages read every lens for the period they show, its trend and the linkage's lagged
    periods, whichever lenses answered then: every period from ``WARM_PERIODS_BEFORE``
    before the first one holding responses of any lens (of the latest ``latest`` such
    periods) to the last one, for each lens; with and without the cells of the lens's
    attribute when it keeps one.
    """
    held = results_periods()
    if latest is not None:
        held = held[-latest:]
    periods: list[Period] = []
    if held:
        period = held[-1]
        while period >= held[0]:
            periods.insert(0, period)
            period = period.previous()
        for _before in range(WARM_PERIODS_BEFORE):
            periods.insert(0, period)
            period = period.previous()
    return [
        (lens, period, segments)
        for lens in lenses
        for period in periods
        for segments in ((False, True) if lens_attribute(lens) else (False,))
    ]


def releases_warm(
    *,
    lenses: Sequence[str] | None = None,
    latest: int | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Warmed:
    """Return how many releases are shared now, counting those the processes lack.

    Run after a deployment (a new version never reads the previous one's releases) and
    after ``rollups_rebuild``: every release the result pages read (``_warm_targets``) is
    looked up as a page would (``engine.keep``) and counted and stored when no process
    shared it for the current roll-ups, so that a process started next reads it from the
    database instead of counting it on its first page. Nothing else is written; the
    figures are the ones a page would count.
    """
    from miroir.org.models import Lens

    chosen = list(Lens.values if lenses is None else lenses)
    unknown = sorted(set(chosen) - set(Lens.values))
    if unknown:
        raise ValidationError(
            _("Unknown lens: %(lenses)s; expected one of %(expected)s")
            % {"lenses": ", ".join(unknown), "expected": ", ".join(Lens.values)}
        )
    if latest is not None and latest < 1:
        raise ValidationError(_("The number of periods to warm must be at least 1."))
    day = today or timezone.localdate()
    targets = _warm_targets(chosen, latest)
    tree, waves = keep.tree(), build.waves_read()
    started = timezone.now()
    counted = 0
    for index, (lens, period, segments) in enumerate(targets, start=1):
        found = keep.release(
            lens=lens, period=period, segments=segments, today=day, tree=tree, waves=waves
        )
        if found.computed_at is not None and found.computed_at >= started:
            counted += 1
        if progress is not None:
            progress(index, len(targets))
    return Warmed(releases=len(targets), counted=counted)


@dataclass(frozen=True)
class Published:
    """The live publication of a unit and period, and whether this call created it."""

    publication: Publication
    created: bool


def _publication_scope(scope: Scope | None, actor: User | Member | None) -> Scope:
    return scope if scope is not None else scope_for_user(actor)


def _publication_check_scope(scope: Scope, unit: Unit) -> None:
    """Refuse a scope that may not read the unit's results (managers: their subtree only)."""
    if not results_can_view(scope):
        raise PermissionDenied("Only managers and the direction publish results")
    if not scope.contains(unit):
        raise PermissionDenied("This unit is outside the units you manage")


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _publication_period(period: Period | str) -> Period:
    """Return the period to publish; ``ValidationError`` when it is unknown or has no results."""
    if isinstance(period, Period):
        chosen = period
        if chosen.grain != release_grain():
            raise _field_error(
                "period", _("Results are not released for this kind of period."), "period"
            )
    else:
        try:
            chosen = period_parse(str(period))
        except PeriodError:
            message = _("“%(label)s” is not a period results are released for.") % {
                "label": str(period)[:32]
            }
            raise _field_error("period", message, "period") from None
    # The same test as the periods the result pages offer: responses anywhere in the
    # network. Asking whether the unit itself has any would tell its manager, through a
    # refusal, that fewer people than the threshold answered; its figures show the marker.
    if not RollupResponses.objects.filter(period__in=chosen.month_starts()).exists():
        message = _("No results exist for %(period)s yet.") % {"period": chosen.label}
        raise _field_error("period", message, "empty")
    return chosen


def _publication_message(message: str) -> str:
    text = text_clean(message or "").strip()
    if len(text) > PUBLICATION_MESSAGE_MAX:
        message = _("The message is too long (%(max)d characters at most).") % {
            "max": PUBLICATION_MESSAGE_MAX
        }
        raise _field_error("message", message, "long")
    return text


def publication_publish(
    *,
    unit: Unit,
    period: Period | str,
    actor: User | Member | None,
    message: str = "",
    scope: Scope | None = None,
    now: datetime | None = None,
) -> Published:
    """Return the live publication of ``unit``'s results for ``period`` to its people.

    Publishing what is already published with the same message changes nothing and
    returns it (``created`` False, no audit entry): a form sent twice is safe. With
    another message it is refused: withdraw it first. ``PermissionDenied`` when the
    actor's scope (default: the actor's own) does not reach the unit.
    """
    scope = _publication_scope(scope, actor)
    _publication_check_scope(scope, unit)
    chosen = _publication_period(period)
    text = _publication_message(message)
    try:
        with transaction.atomic():
            existing = Publication.objects.filter(
                unit=unit, period=chosen.label, withdrawn_at__isnull=True
            ).first()
            if existing is not None:
                return _already_published(existing, text)
            publication = Publication.objects.create(
                unit=unit,
                period=chosen.label,
                message=text,
                published_at=now or timezone.now(),
                published_by=actor if isinstance(actor, User) else None,
            )
            audit_record(
                actor=actor,
                action="results.publish",
                target=f"publication:{publication.pk}",
                details={"unit": unit.pk, "period": chosen.label},
            )
            event_emit("results.published", publication_id=publication.pk)
            return Published(publication, created=True)
    except IntegrityError:
        # Published at the same moment by someone else: theirs stands.
        existing = Publication.objects.filter(
            unit=unit, period=chosen.label, withdrawn_at__isnull=True
        ).first()
        if existing is None:
            raise
        return _already_published(existing, text)


def _already_published(existing: Publication, text: str) -> Published:
    if existing.message != text:
        raise ValidationError(
            _(
                "The results of %(period)s are already published to this unit with another "
                "message; withdraw them first to publish again."
            )
            % {"period": existing.period},
            code="published",
        )
    return Published(existing, created=False)


@transaction.atomic
def publication_withdraw(
    *,
    publication: Publication,
    actor: User | Member | None,
    scope: Scope | None = None,
    now: datetime | None = None,
) -> Publication:
    """Return the publication withdrawn: from now on nobody is shown it.

    Withdrawing a withdrawn publication changes nothing (no second audit entry).
    """
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=publication.pk)
    )
    _publication_check_scope(_publication_scope(scope, actor), publication.unit)
    if publication.withdrawn_at is not None:
        return publication
    publication.withdrawn_at = now or timezone.now()
    publication.withdrawn_by = actor if isinstance(actor, User) else None
    publication.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=actor,
        action="results.withdraw",
        target=f"publication:{publication.pk}",
        details={"unit": publication.unit_id, "period": publication.period},
    )
    event_emit("results.withdrawn", publication_id=publication.pk)
    return publication


# -- survey comments ------------------------------------------------------------------------


def comments_analyse_pending(*, limit: int | None = 2000) -> None:
    """Analyse up to ``limit`` (None: all) survey comments not analysed yet: names, themes, tone.

    Run in the background (``results.periodic.analyse_pending_comments``): each comment is
    redacted through the gate's redaction with the organisation's member names, in its
    wave's language, then its themes and sentiment are read from the redacted text. When
    redaction cannot run nothing is stored, so the comments stay hidden until a later run
    succeeds (fails closed). Returns nothing and logs nothing: how many were pending, and
    when, would tell when people answered.
    """
    from miroir import text as engine

    waiting = (
        Answer.objects.filter(text__isnull=False, analysis__isnull=True)
        .exclude(text="")
        .order_by("pk")
        .values_list("pk", "text", "response__wave__language")
    )
    pending = list(waiting if limit is None else waiting[:limit])
    if not pending:
        return
    names = [
        f"{first} {last}" for first, last in Member.objects.values_list("first_name", "last_name")
    ]
    rows: list[CommentAnalysis] = []
    for language in ("fr", "en"):
        batch = [row for row in pending if (row[2] if row[2] in ("fr", "en") else "fr") == language]
        if not batch:
            continue
        try:
            texts = gate.redact_all([row[1] or "" for row in batch], names=names, language=language)
        except Exception as error:  # fail closed: nothing stored for them, nothing shown
            logger.warning(
                "Survey comments not analysed: redaction failed (%s).", type(error).__name__
            )
            continue
        themes = engine.themes_for(texts, language=language)
        moods = engine.sentiments(texts, language=language)
        rows.extend(
            CommentAnalysis(
                answer_id=row[0],
                text=redacted,
                themes=codes,
                sentiment=mood.label,
                language=language,
            )
            for row, redacted, codes, mood in zip(batch, texts, themes, moods, strict=True)
        )
    CommentAnalysis.objects.bulk_create(rows, ignore_conflicts=True)
