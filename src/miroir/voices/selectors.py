"""Reads of the voices: the access gates, the inbox, the idea board, "you said, we did",
near-duplicates and the listening metrics."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from miroir.collect.models import Answer
from miroir.org.models import Lens, Member, RoleKind, Unit
from miroir.org.selectors import Scope, scope_roots, units_in_scope
from miroir.results.listening import VoiceListening
from miroir.voices import text as voice_text
from miroir.voices.claims import claim_digest
from miroir.voices.models import (
    SHARED_KINDS,
    Voice,
    VoiceComment,
    VoiceEvent,
    VoiceEventKind,
    VoiceKind,
    VoiceOutcome,
    VoiceReport,
    VoiceStatus,
    VoiceSupport,
    arrived,
)

# What a bad or unknown id raises: all of them read as "no such voice".
_MISSING = (Voice.DoesNotExist, ValueError, TypeError, ValidationError)

# The words of the redaction markers ("[nom]", "[name]", …), never a topic.
_MARKER_WORDS = frozenset(("nom", "name", "courriel", "mail", "telephone", "phone"))

# How alike two voices must be (Jaccard index of their words) to be proposed for merging.
DUPLICATE_THRESHOLD = 0.5


def scope_member(scope: Scope) -> Member | None:
    """Return the member acting under ``scope``, if any."""
    if scope.member_id is None:
        return None
    return Member.objects.select_related("unit").filter(pk=scope.member_id).first()


def voices_can_manage(scope: Scope) -> bool:
    """Return whether the scope answers voices: managers, direction and administrators."""
    return scope.can_browse and (
        scope.everything or RoleKind.MANAGER in scope.roles or RoleKind.ADMINISTRATOR in scope.roles
    )


def voices_can_moderate(scope: Scope) -> bool:
    return voices_can_manage(scope)


def voices_managed(scope: Scope) -> QuerySet[Voice]:
    """Return the voices of the units the scope manages (none for others)."""
    if not voices_can_manage(scope):
        return Voice.objects.none()
    return Voice.objects.filter(scope.unit_filter("unit__")).filter(arrived())


def access_voice(scope: Scope, voice_id: Any, *, write: bool = False) -> Voice:
    """Return a voice of the scope's units for its managers; 404 outside them."""
    try:
        voice = (
            voices_managed(scope)
            .select_related("unit__parent", "moment", "owner", "author", "merged_into")
            .get(pk=voice_id)
        )
    except _MISSING:
        raise Http404("No such voice") from None
    if write and not voices_can_manage(scope):
        raise PermissionDenied("Only managers answer voices")
    return voice


def access_own_voice(member: Member | None, voice_id: Any) -> Voice:
    """Return one of the member's signed voices; 404 for anybody else's."""
    if member is None:
        raise Http404("No such voice")
    try:
        return Voice.objects.select_related("unit", "moment", "merged_into").get(
            pk=voice_id, author=member
        )
    except _MISSING:
        raise Http404("No such voice") from None


def access_shared_voice(member: Member | None, voice_id: Any) -> Voice:
    """Return a suggestion or best failure colleagues may read, support and add to.

    Open to every active member of the organisation; hidden and merged voices are not.
    """
    if member is None or not member.is_active:
        raise PermissionDenied("Colleagues' voices are for members")
    try:
        return voices_shared().get(pk=voice_id)
    except _MISSING:
        raise Http404("No such voice") from None


def voice_by_claim_code(code: str) -> Voice | None:
    """Return the voice a claim code follows, or None (the same for any wrong code)."""
    if not code or len(code) > 64:
        return None
    return (
        Voice.objects.select_related("unit", "moment", "merged_into")
        .filter(claim_digest=claim_digest(code))
        .first()
    )


# Lists -------------------------------------------------------------------------------------


def voices_inbox(
    scope: Scope,
    *,
    kind: str = "",
    status: str = "",
    overdue: bool = False,
    unit: Unit | None = None,
    now: datetime,
) -> QuerySet[Voice]:
    """Return the managed voices, filtered, open ones first by deadline, then the latest."""
    voices = voices_managed(scope).select_related("unit", "owner", "moment")
    if unit is not None:
        voices = voices.filter(unit__path__startswith=unit.path)
    if kind:
        voices = voices.filter(kind=kind)
    if status:
        voices = voices.filter(status=status)
    if overdue:
        voices = voices.filter(due_at__lte=now).exclude(status=VoiceStatus.ANSWERED)
    return voices.order_by("answered_at", "due_at", "-received_at", "id")


def voices_of_member(member: Member) -> QuerySet[Voice]:
    """Return the member's signed voices, the latest first (anonymous ones are not theirs)."""
    return Voice.objects.filter(author=member).select_related("unit", "moment")


def my_voices_label(member_id: int) -> str:
    """Return the navigation label of "My voices", with the count of answers not read yet."""
    unread = Voice.objects.filter(author_id=member_id, answer_unread=True).count()
    if not unread:
        return gettext("My voices")
    return ngettext(
        "My voices (%(count)d new answer)", "My voices (%(count)d new answers)", unread
    ) % {"count": unread}


def voices_shared() -> QuerySet[Voice]:
    """Return the colleagues' board: visible suggestions and best failures, not merged away."""
    return (
        Voice.objects.filter(arrived(), kind__in=SHARED_KINDS, is_hidden=False)
        .exclude(outcome=VoiceOutcome.MERGED)
        .select_related("unit", "author")
    )


def voices_rising(*, unit: Unit | None = None) -> QuerySet[Voice]:
    """Return the board, the most supported first, then the newest."""
    voices = voices_shared()
    if unit is not None:
        voices = voices.filter(unit__path__startswith=unit.path)
    return voices.order_by("-support_count", "-received_at", "id")


def voice_timeline(voice: Voice) -> list[VoiceEvent]:
    """Return the steps of a voice's life, oldest first, starting with its receipt.

    Anonymous voices store no "received" event (see ``services._receive``): it is made here
    from their day of receipt, as for every voice, so that all timelines read the same.
    """
    stored = list(voice.events.exclude(kind=VoiceEventKind.RECEIVED))
    received = VoiceEvent(voice=voice, kind=VoiceEventKind.RECEIVED, at=voice.received_at)
    return [received, *stored]


def voice_comments(voice: Voice, *, moderator: bool = False) -> QuerySet[VoiceComment]:
    comments = voice.comments.select_related("author")
    return comments if moderator else comments.filter(is_hidden=False)


def you_said_we_did(unit: Unit, *, limit: int | None = None) -> QuerySet[Voice]:
    """Return the implemented voices of the unit's subtree, latest first, with their effect.

    The board and the digest show this list; hidden voices stay out of it.
    """
    voices = (
        Voice.objects.filter(
            arrived(),
            unit__path__startswith=unit.path,
            outcome=VoiceOutcome.IMPLEMENTED,
            is_hidden=False,
        )
        .select_related("unit", "moment")
        .order_by("-answered_at", "id")
    )
    return voices[:limit] if limit else voices


def voice_duplicates(voice: Voice, *, limit: int = 5) -> list[tuple[Voice, float]]:
    """Return the voices of the same kind and region that say nearly the same thing."""
    # Within the voice's region (its ancestor at depth 1), where one manager can merge them.
    region_path = "/".join(voice.unit.path.split("/")[:3]) + "/"
    candidates = list(
        Voice.objects.filter(arrived(), kind=voice.kind, unit__path__startswith=region_path)
        .exclude(pk=voice.pk)
        .exclude(outcome=VoiceOutcome.MERGED)
        .select_related("unit")
        .order_by("-received_at", "id")[:500]
    )
    scored = voice_text.duplicates(
        f"{voice.title}\n{voice.text}",
        [f"{c.title}\n{c.text}" for c in candidates],
        threshold=DUPLICATE_THRESHOLD,
    )
    return [(candidates[index], score) for index, score in scored[:limit]]


def reports_open(scope: Scope) -> QuerySet[VoiceReport]:
    """Return the open reports on the voices the scope moderates, oldest first."""
    if not voices_can_moderate(scope):
        raise PermissionDenied("Moderation is for managers")
    return (
        VoiceReport.objects.filter(
            resolved_at__isnull=True, voice__in=Voice.objects.filter(arrived())
        )
        .filter(scope.unit_filter("voice__unit__"))
        .select_related("voice__unit", "comment")
        .order_by("created_at")
    )


def access_report(scope: Scope, report_id: Any) -> VoiceReport:
    try:
        return reports_open(scope).get(pk=int(report_id))
    except (VoiceReport.DoesNotExist, TypeError, ValueError):
        raise Http404("No such report") from None


# Listening metrics -------------------------------------------------------------------------


def _instant(value: date | datetime) -> datetime:
    """Return a datetime as it is, a day as its first instant in the current time zone."""
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def voices_listening(
    *, unit: Unit, lens: str, start: date | datetime, end: date | datetime
) -> VoiceListening:
    """Return the listening figures of the voices of ``lens`` received in [start, end) in the
    unit's subtree (days or instants). Adopted counts adopted and implemented voices; the
    backlog is what is still unanswered; the median is in days, None with nothing answered."""
    start, end = _instant(start), _instant(end)
    # Anonymous voices count from the day after they were sent, like everywhere else.
    voices = Voice.objects.filter(
        arrived(),
        unit__path__startswith=unit.path,
        lens=lens,
        received_at__gte=start,
        received_at__lt=end,
    )
    answered = Q(status=VoiceStatus.ANSWERED)
    # One pass for the counts (a network page asks this of every unit and lens).
    counts = voices.aggregate(
        received=Count("pk"),
        in_time=Count("pk", filter=answered & Q(answered_at__lte=F("due_at"))),
        adopted=Count(
            "pk",
            filter=answered & Q(outcome__in=[VoiceOutcome.ADOPTED, VoiceOutcome.IMPLEMENTED]),
        ),
        backlog=Count("pk", filter=~answered),
    )
    durations = []
    if counts["received"] > counts["backlog"]:
        durations = [
            (answered_at - received_at).total_seconds() / 86400
            for received_at, answered_at in voices.filter(answered).values_list(
                "received_at", "answered_at"
            )
        ]
    return VoiceListening(
        received=counts["received"],
        answered=len(durations),
        answered_within_deadline=counts["in_time"],
        adopted=counts["adopted"],
        backlog=counts["backlog"],
        median_days_to_answer=statistics.median(durations) if durations else None,
    )


def voices_listening_by_unit(
    *, lens: str, start: date | datetime, end: date | datetime, lineage: Mapping[int, Sequence[int]]
) -> dict[int, VoiceListening]:
    """Return ``voices_listening`` of every unit at once, from one read of the period's voices.

    ``lineage`` gives each unit's path (its ancestors and itself); a voice counts in every
    unit on its unit's path. Units without voices are absent (their figures are all zero).
    """
    start, end = _instant(start), _instant(end)
    answered_q = Q(status=VoiceStatus.ANSWERED)
    rows = (
        Voice.objects.filter(arrived(), lens=lens, received_at__gte=start, received_at__lt=end)
        # Worked out in SQL: one duration per voice read rather than three instants.
        .annotate(
            is_answered=Case(When(answered_q, then=Value(True)), default=Value(False)),
            in_time=Case(
                When(answered_q & Q(answered_at__lte=F("due_at")), then=Value(True)),
                default=Value(False),
            ),
            is_adopted=Case(
                When(
                    answered_q & Q(outcome__in=[VoiceOutcome.ADOPTED, VoiceOutcome.IMPLEMENTED]),
                    then=Value(True),
                ),
                default=Value(False),
            ),
            waited=Case(
                When(
                    answered_q,
                    then=ExpressionWrapper(
                        F("answered_at") - F("received_at"), output_field=DurationField()
                    ),
                ),
                default=None,
                output_field=DurationField(),
            ),
        )
        .values_list("unit_id", "is_answered", "in_time", "is_adopted", "waited")
    )
    sums: dict[int, list[Any]] = {}
    for unit_id, answered, in_time, adopted, waited in rows:
        days = waited.total_seconds() / 86400 if answered and waited is not None else None
        for ancestor in lineage.get(unit_id, ()):
            found = sums.setdefault(ancestor, [0, 0, 0, 0, []])
            found[0] += 1
            found[1] += in_time
            found[2] += adopted
            found[3] += not answered
            if days is not None:
                found[4].append(days)
    return {
        unit_id: VoiceListening(
            received=received,
            answered=len(durations),
            answered_within_deadline=in_time,
            adopted=adopted,
            backlog=backlog,
            median_days_to_answer=statistics.median(durations) if durations else None,
        )
        for unit_id, (received, in_time, adopted, backlog, durations) in sums.items()
    }


def supported_by(member: Member) -> set[Any]:
    """Return the ids of the voices the member supports."""
    return set(VoiceSupport.objects.filter(member=member).values_list("voice_id", flat=True))


def units_for_choice(scope: Scope, current: Unit | None) -> list[Unit]:
    """Return the units offered in a unit selector: the scope's, three levels from its top."""
    if not scope.can_browse:
        return [current] if current is not None else []
    top = min((unit.depth for unit in scope_roots(scope)), default=0)
    units = units_in_scope(scope).filter(depth__lte=top + 2, is_active=True)
    return list(units.order_by("path")[:300])


@dataclass(frozen=True)
class Addressed:
    """What customers said that an employee suggestion addresses, and what it is about.

    ``count`` and ``voices`` are customer complaints; ``comments`` counts the comments
    customers left in surveys (a count only: the texts stay behind the results' gate).
    """

    count: int
    about: str
    voices: list[Voice]
    comments: int = 0


def _customer_comments(region_path: str) -> list[str]:
    """Return the latest customer survey comments of a region (customers only, never staff)."""
    return list(
        Answer.objects.filter(
            response__lens=Lens.CUSTOMER,
            response__unit__path__startswith=region_path,
            text__isnull=False,
        )
        .order_by("-response__submitted_on")
        .values_list("text", flat=True)[:2000]
    )


def complaints_addressed(voice: Voice, *, language: str = "fr") -> Addressed | None:
    """Return the customer complaints and survey comments a suggestion addresses, or None.

    Both come from the voice's region. "About" names the themes the suggestion and what it
    addresses share most often.
    """
    if voice.kind != VoiceKind.SUGGESTION:
        return None
    region_path = "/".join(voice.unit.path.split("/")[:3]) + "/"
    complaints = list(
        Voice.objects.filter(kind=VoiceKind.COMPLAINT, unit__path__startswith=region_path)
        .order_by("-received_at")
        .only("id", "title", "text")[:2000]
    )
    suggestion = f"{voice.title}\n{voice.text}"
    links = voice_text.addressed(suggestion, [f"{c.title}\n{c.text}" for c in complaints])
    comments = _customer_comments(region_path)
    comment_links = voice_text.addressed(suggestion, comments) if comments else []
    if not links and not comment_links:
        return None
    counts: dict[str, int] = {}
    for _index, _score, themes in [*links, *comment_links]:
        for code in themes:
            counts[code] = counts.get(code, 0) + 1
    if counts:
        top = [code for code, _n in sorted(counts.items(), key=lambda p: -p[1])[:2]]
        about = ", ".join(voice_text.theme_labels(top, language=language))
    else:
        # Words of the redacted suggestion only: a name cannot become what it is "about".
        mine = voice_text.tokens(f"{voice.redacted_title} {voice.redacted_text}") - _MARKER_WORDS
        texts = [complaints[index].text for index, _s, _t in links]
        texts += [comments[index] for index, _s, _t in comment_links]
        words: dict[str, int] = {}
        for text in texts:
            for word in mine & voice_text.tokens(text):
                words[word] = words.get(word, 0) + 1
        about = ", ".join(w for w, _n in sorted(words.items(), key=lambda p: -p[1])[:3])
    return Addressed(
        count=len(links),
        about=about,
        voices=[complaints[i] for i, _s, _t in links[:10]],
        comments=len(comment_links),
    )
