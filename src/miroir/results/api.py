"""JSON API of the results: the same gated figures as the pages, within the caller's scope."""

# No `from __future__ import annotations` here: django-ninja reads these annotations at
# import time to build the request and response models.

import dataclasses
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from ninja import Query, Router, Schema

from miroir.analytics import AnalyticsError
from miroir.api.selectors import caller_scope
from miroir.org.models import Unit
from miroir.results import gate, selectors
from miroir.results.models import CommentAnalysis
from miroir.results.periods import Period, PeriodError, period_of, period_parse
from miroir.results.reasons import reason_code, reason_text
from miroir.results.selectors.estimates import unit_estimates
from miroir.text import bundled_themes

router = Router(tags=["results"])


class ErrorCode(StrEnum):
    FORBIDDEN = "results.forbidden"
    NOT_FOUND = "results.not_found"
    BAD_PERIOD = "results.bad_period"
    BAD_REQUEST = "results.bad_request"
    NOT_COMPUTABLE = "results.not_computable"


class ResultsErrorOut(Schema):
    code: str
    message: str


# A period's label, in the schema, so that a malformed one is refused as invalid input.
PERIOD = Query(
    None,
    pattern=r"^[1-9][0-9]{3}(-Q[1-4]|-(0[1-9]|1[0-2]))?$",
    description="2026 (year), 2026-Q1 (quarter) or 2026-03 (month); default: the current quarter.",
)

# Segments are released by quarter only (a year or a month would let a segment be derived by
# difference): the same label, quarters only.
QUARTER = Query(
    None,
    pattern=r"^[1-9][0-9]{3}-Q[1-4]$",
    description="2026-Q1 (a quarter); default: the current quarter.",
)

ERRORS = {403: ResultsErrorOut, 404: ResultsErrorOut, 422: ResultsErrorOut}


class ChangeOut(Schema):
    previous: str
    value: float | None
    low: float | None
    high: float | None
    significant: bool
    p_value: float | None
    method: str


class StatisticOut(Schema):
    code: str
    value: float | None
    low: float | None
    high: float | None
    change: ChangeOut | None


class SubjectOut(Schema):
    kind: str
    code: str
    label_fr: str
    label_en: str
    item_id: int | None
    scale: str | None
    dimension: str
    mirror: str


class FigureOut(Schema):
    unit_id: int
    lens: str
    subject: SubjectOut
    period: str
    segment: list[str] | None
    # True, with every number null, whatever the hidden base (one marker).
    suppressed: bool
    n: int | None
    dont_know: int | None
    statistics: list[StatisticOut]
    distribution: dict[str, int] | None


class UnitRefOut(Schema):
    id: int
    name: str
    kind: str
    depth: int
    parent_id: int | None


class ResultsOut(Schema):
    lens: str
    period: str
    segment: list[str] | None
    threshold: int
    as_of: date | None
    units: list[UnitRefOut]
    figures: list[FigureOut]


class GapOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    significant: bool
    p_value: float | None


class MirrorSymmetryOut(Schema):
    mirror: SubjectOut
    figures: dict[str, FigureOut]
    gaps: dict[str, GapOut]


class PerceptionGapOut(Schema):
    mirror: SubjectOut
    versus: str
    management: FigureOut
    actual: FigureOut
    gap: GapOut


class VoicesOut(Schema):
    received: int
    answered: int
    answered_within_deadline: int
    adopted: int
    backlog: int
    median_days_to_answer: float | None


class LensListeningOut(Schema):
    lens: str
    # None when hidden by the gate, like ``responses`` (docs/anonymity.md).
    invited: int | None
    people: int | None
    per_person: float | None
    responses: int | None
    response_rate: float | None
    voices: VoicesOut | None


class ListeningOut(Schema):
    unit_id: int
    period: str
    lenses: dict[str, LensListeningOut]
    ratios: dict[str, float | None]


class ComponentOut(Schema):
    code: str
    label: str
    rule: str
    weight: float
    effective_weight: float
    score: float | None
    contribution: float | None
    raw: float | None
    gaps: list[float]
    employee: float | None
    customer: float | None


class SymmetryOut(Schema):
    unit_id: int
    period: str
    value: float | None
    coverage: float
    components: list[ComponentOut]
    experience_gaps: dict[str, float]
    perception_gaps: dict[str, float]
    listening: ListeningOut


class VerbatimOut(Schema):
    text: str
    wave: str
    period: str


class VerbatimsOut(Schema):
    suppressed: bool
    threshold: int
    verbatims: list[VerbatimOut]


class EstimateAnswerOut(Schema):
    item_code: str
    question: str
    answer: str
    dont_know: bool
    score: float | None


class EstimateOut(Schema):
    unit_id: int
    unit_name: str
    author: str
    label: str
    wave: str
    submitted_on: date
    answers: list[EstimateAnswerOut]


class LinkageOut(Schema):
    level: str
    period: str
    units: int
    pearson: dict[str, Any] | None
    spearman: dict[str, Any] | None
    regression: dict[str, Any] | None
    lagged: dict[str, Any] | None
    drivers: dict[str, Any] | None
    reliability_employee: dict[str, Any] | None
    reliability_customer: dict[str, Any] | None
    guardrails: dict[str, Any]
    flags: list[dict[str, Any]]
    problems: dict[str, str]


def _plain(value: Any) -> Any:
    """Return dataclasses as dicts (tuples as lists), for the schemas."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _figure(figure: Any) -> dict[str, Any]:
    body = _plain(figure)
    body["distribution"] = dict(figure.distribution) if figure.distribution is not None else None
    return body


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    try:
        return selectors.access_results(caller_scope(request), unit_id)
    except PermissionDenied:
        raise _Refused(403, ErrorCode.FORBIDDEN, "Not allowed to read results.") from None
    except Http404:
        raise _Refused(404, ErrorCode.NOT_FOUND, "No such unit.") from None


def _period(label: str | None) -> Period:
    if not label:
        return period_of(timezone.localdate())
    try:
        return period_parse(label)
    except PeriodError as error:
        raise _Refused(422, ErrorCode.BAD_PERIOD, str(error)) from None


def _chain(label: str | None, periods: int) -> list[Period]:
    """Return the ``periods`` periods (1 to 12) ending with ``label``'s, oldest first."""
    chain = [_period(label)]
    for _ in range(max(1, min(periods, 12)) - 1):
        chain.insert(0, chain[0].previous())
    return chain


def _answer(compute: Any) -> Any:
    """Return (status, body): the computed body, or the error a refusal or bad input gives."""
    try:
        return 200, compute()
    except _Refused as refused:
        return refused.status, {"code": refused.code, "message": refused.message}
    except AnalyticsError as error:
        # What is missing, in the caller's language; the statistics' own text stays in logs.
        return 422, {"code": ErrorCode.NOT_COMPUTABLE, "message": reason_text(reason_code(error))}
    except ValueError as error:
        return 422, {"code": ErrorCode.BAD_REQUEST, "message": str(error)}


Lens = Literal["customer", "employee", "management", "partner"]
SubjectKind = Literal["item", "dimension", "mirror"]


@router.get("/periods", response={200: list[str], **ERRORS}, summary="Periods with responses")
def results_periods(request: HttpRequest, lens: Lens | None = None) -> Any:
    def compute() -> list[str]:
        if not selectors.results_can_view(caller_scope(request)):
            raise _Refused(403, ErrorCode.FORBIDDEN, "Not allowed to read results.")
        return [period.label for period in selectors.results_periods(lens=lens)]

    return _answer(compute)


@router.get(
    "/units/{unit_id}",
    response={200: ResultsOut, **ERRORS},
    summary="Figures of a unit and its sub-units (one lens, one period)",
)
def results_unit(
    request: HttpRequest,
    unit_id: int,
    lens: Lens,
    period: str | None = PERIOD,
    subject: SubjectKind = "item",
    attribute: str | None = None,
    value: str | None = None,
    levels: int = 1,
) -> Any:
    def compute() -> dict[str, Any]:
        unit = _unit(request, unit_id)
        segment = (attribute, value) if attribute and value else None
        if bool(attribute) != bool(value):
            raise ValueError("give both attribute and value to filter by a segment")
        results = selectors.unit_results(
            unit=unit,
            lens=lens,
            period=_period(period),
            subject=subject,
            segment=segment,
            levels=max(0, min(levels, 3)),
        )
        body = _plain(results)
        body["figures"] = [_figure(figure) for figure in results.figures]
        return body

    return _answer(compute)


@router.get(
    "/units/{unit_id}/segments",
    response={200: ResultsOut, **ERRORS},
    summary="Figures of a unit by contract type, proximity or moment",
)
def results_segments(
    request: HttpRequest,
    unit_id: int,
    lens: Lens,
    period: str | None = QUARTER,
    subject: SubjectKind = "item",
) -> Any:
    def compute() -> dict[str, Any]:
        unit = _unit(request, unit_id)
        results = selectors.segment_results(
            unit=unit, lens=lens, period=_period(period), subject=subject
        )
        body = _plain(results)
        body["figures"] = [_figure(figure) for figure in results.figures]
        return body

    return _answer(compute)


@router.get(
    "/units/{unit_id}/experience",
    response={200: list[MirrorSymmetryOut], **ERRORS},
    summary="Experience symmetry per mirror",
)
def results_experience(request: HttpRequest, unit_id: int, period: str | None = PERIOD) -> Any:
    def compute() -> list[dict[str, Any]]:
        rows = selectors.experience_symmetry(unit=_unit(request, unit_id), period=_period(period))
        return [
            {
                **_plain(row),
                "figures": {lens: _figure(f) for lens, f in row.figures.items()},
            }
            for row in rows
        ]

    return _answer(compute)


@router.get(
    "/units/{unit_id}/perception",
    response={200: list[PerceptionGapOut], **ERRORS},
    summary="Perception gap: management's estimate vs what employees or customers say",
)
def results_perception(
    request: HttpRequest,
    unit_id: int,
    period: str | None = PERIOD,
    versus: Literal["employee", "customer"] = "employee",
) -> Any:
    def compute() -> list[dict[str, Any]]:
        rows = selectors.perception_gaps(
            unit=_unit(request, unit_id), period=_period(period), versus=versus
        )
        return [
            {**_plain(row), "management": _figure(row.management), "actual": _figure(row.actual)}
            for row in rows
        ]

    return _answer(compute)


@router.get(
    "/units/{unit_id}/listening",
    response={200: ListeningOut, **ERRORS},
    summary="Listening symmetry per lens",
)
def results_listening(request: HttpRequest, unit_id: int, period: str | None = PERIOD) -> Any:
    return _answer(
        lambda: _plain(
            selectors.listening_symmetry(unit=_unit(request, unit_id), period=_period(period))
        )
    )


@router.get(
    "/units/{unit_id}/symmetry",
    response={200: SymmetryOut, **ERRORS},
    summary="Symmetry index with every component",
)
def results_symmetry(request: HttpRequest, unit_id: int, period: str | None = PERIOD) -> Any:
    def compute() -> dict[str, Any]:
        result = selectors.unit_symmetry(unit=_unit(request, unit_id), period=_period(period))
        body = _plain(result)
        index = body.pop("index")
        return {
            **body,
            "value": index["value"],
            "coverage": index["coverage"],
            "components": index["components"],
        }

    return _answer(compute)


@router.get(
    "/units/{unit_id}/linkage",
    response={200: LinkageOut, **ERRORS},
    summary="Employee index vs customer index across units, with guardrails",
)
def results_linkage(
    request: HttpRequest, unit_id: int, period: str | None = PERIOD, level: str = "shop"
) -> Any:
    def compute() -> dict[str, Any]:
        result = selectors.unit_linkage(
            unit=_unit(request, unit_id), period=_period(period), level=level
        )
        body = _plain(result)
        body.pop("points", None)
        body.pop("correction", None)
        guardrails = result.guardrails
        body["guardrails"] = {
            **body["guardrails"],
            "underpowered": guardrails.underpowered,
            "unreliable_means": guardrails.unreliable_means,
        }
        return body

    return _answer(compute)


@router.get(
    "/units/{unit_id}/verbatims",
    response={200: VerbatimsOut, **ERRORS},
    summary="Free-text answers of a large enough group, shuffled and redacted",
)
def results_verbatims(
    request: HttpRequest, unit_id: int, lens: Lens, period: str | None = PERIOD
) -> Any:
    return _answer(
        lambda: _plain(
            selectors.unit_verbatims(
                unit=_unit(request, unit_id), lens=lens, period=_period(period)
            )
        )
    )


@router.get(
    "/units/{unit_id}/estimates",
    response={200: list[EstimateOut], **ERRORS},
    summary="Management's attributed estimates for the unit itself, with their author",
)
def results_estimates(request: HttpRequest, unit_id: int, period: str | None = PERIOD) -> Any:
    return _answer(
        lambda: _plain(unit_estimates(unit=_unit(request, unit_id), period=_period(period)))
    )


class CommentCountOut(Schema):
    code: str
    label: str
    count: int | None
    suppressed: bool


class CommentTrendOut(CommentCountOut):
    period: str


class CommentOut(Schema):
    text: str
    wave: str
    period: str
    themes: list[str]
    sentiment: str


class CommentsOut(Schema):
    suppressed: bool
    threshold: int
    total: int | None
    themes: list[CommentCountOut]
    sentiments: list[CommentCountOut]
    trend: list[CommentTrendOut]
    comments: list[CommentOut]
    matching: int | None
    pending: bool


def _count(code: str, label: str, count: Any) -> dict[str, Any]:
    hidden = count is gate.SUPPRESSED
    return {"code": code, "label": label, "count": None if hidden else count, "suppressed": hidden}


def _comments_body(found: Any) -> dict[str, Any]:
    language = "en" if (translation.get_language() or "fr").startswith("en") else "fr"
    labels = {theme.code: theme.label(language) for theme in bundled_themes()}
    moods = {code: str(label) for code, label in CommentAnalysis.Sentiment.choices}
    return {
        "suppressed": found.suppressed,
        "threshold": found.threshold,
        "total": None if found.total is gate.SUPPRESSED else found.total,
        "themes": [_count(t.code, labels.get(t.code, t.code), t.count) for t in found.themes],
        "sentiments": [_count(c, moods[c], n) for c, n in found.sentiments.items()],
        "trend": [
            {**_count(p.code, labels.get(p.code, p.code), p.count), "period": p.period}
            for p in found.trend
        ],
        "comments": [_plain(comment) for comment in found.comments],
        "matching": None if found.matching is gate.SUPPRESSED else found.matching,
        "pending": found.pending,
    }


@router.get(
    "/units/{unit_id}/comments",
    response={200: CommentsOut, **ERRORS},
    summary="Survey comments of a large enough group: themes, trend, sentiment, search",
)
def results_comments(
    request: HttpRequest,
    unit_id: int,
    lens: Lens,
    period: str | None = PERIOD,
    periods: int = 4,
    q: str = Query("", max_length=100),
    theme: str = "",
) -> Any:
    def compute() -> dict[str, Any]:
        unit = _unit(request, unit_id)
        chain = _chain(period, periods)
        found = selectors.unit_comments(
            unit=unit, lens=lens, period=chain[-1], periods=chain, query=q, theme=theme
        )
        return _comments_body(found)

    return _answer(compute)


class BarometerOut(Schema):
    suggestions: FigureOut | None
    complaints: FigureOut | None
    gap: GapOut | None


@router.get(
    "/units/{unit_id}/trend",
    response={200: list[ResultsOut], **ERRORS},
    summary="Figures of a unit over the last periods (oldest first), with their changes",
)
def results_trend(
    request: HttpRequest,
    unit_id: int,
    lens: Lens,
    period: str | None = PERIOD,
    periods: int = 4,
    subject: SubjectKind = "item",
) -> Any:
    def compute() -> list[dict[str, Any]]:
        unit = _unit(request, unit_id)
        chain = _chain(period, periods)
        series = selectors.unit_trend(unit=unit, lens=lens, periods=chain, subject=subject)
        bodies = []
        for results in series:
            body = _plain(results)
            body["figures"] = [_figure(figure) for figure in results.figures]
            bodies.append(body)
        return bodies

    return _answer(compute)


@router.get(
    "/units/{unit_id}/barometer",
    response={200: BarometerOut, **ERRORS},
    summary="Suggestions listened to vs complaints heard (employees' top box)",
)
def results_barometer(request: HttpRequest, unit_id: int, period: str | None = PERIOD) -> Any:
    def compute() -> dict[str, Any]:
        headline = selectors.barometer_headline(
            unit=_unit(request, unit_id), period=_period(period)
        )
        return {
            "suggestions": _figure(headline.suggestions) if headline.suggestions else None,
            "complaints": _figure(headline.complaints) if headline.complaints else None,
            "gap": _plain(headline.gap),
        }

    return _answer(compute)


@router.get(
    "/units/{unit_id}/network",
    response={200: list[SymmetryOut], **ERRORS},
    summary="Symmetry index of a unit and of its sub-units",
)
def results_network(
    request: HttpRequest, unit_id: int, period: str | None = PERIOD, levels: int = 1
) -> Any:
    def compute() -> list[dict[str, Any]]:
        rows = selectors.network_symmetry(
            unit=_unit(request, unit_id), period=_period(period), levels=max(0, min(levels, 2))
        )
        bodies = []
        for row in rows:
            body = _plain(row)
            index = body.pop("index")
            bodies.append({**body, **{k: index[k] for k in ("value", "coverage", "components")}})
        return bodies

    return _answer(compute)
