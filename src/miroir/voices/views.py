"""Voice pages: employees submit and follow, colleagues support, managers answer and moderate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from miroir.core.pagination import paginate
from miroir.core.ratelimit import rate_limit
from miroir.instruments.forms import form_add_errors
from miroir.org.models import Lens, Member, Unit
from miroir.org.selectors import access_unit, request_scope, scope_roots
from miroir.voices import selectors, services
from miroir.voices.forms import (
    AnswerForm,
    ClaimForm,
    CommentForm,
    ComplaintForm,
    InboxFilterForm,
    ReportForm,
    VoiceForm,
)
from miroir.voices.models import VoiceSource

NAV = "voices"


def _page(
    request: HttpRequest, template: str, nav: str = NAV, *, status: int = 200, **context: object
) -> HttpResponse:
    return render(request, f"voices/{template}", {"nav_section": nav, **context}, status=status)


def _member(request: HttpRequest) -> Member:
    """Return the member behind the request; 403 for a login that is nobody's."""
    member = selectors.scope_member(request_scope(request))
    if member is None:
        raise PermissionDenied("Voices are for members of the organisation")
    return member


def _messages_from(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# Employees and partners --------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def voice_submit(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = VoiceForm(request.POST or None)
    if form.is_valid():
        try:
            received = services.voice_submit(
                author=member, language=get_language() or "fr", **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            if not received.created:
                messages.info(request, _("This voice was already sent; nothing new was stored."))
                if received.voice.is_anonymous:
                    return redirect("voices:follow")
                return redirect("voices:mine_detail", received.voice.pk)
            if received.claim_code:
                # Shown once, in this answer only: nothing stores it, not even the session,
                # which is left as it was: sending an anonymous voice writes no last-seen
                # time beside the author's login (docs/anonymity.md).
                request.session.modified = False
                return _page(request, "claim_code.html", "my_voices", code=received.claim_code)
            messages.success(request, _("Thank you: your voice is on its way to your manager."))
            return redirect("voices:mine_detail", received.voice.pk)
    return _page(request, "submit.html", "my_voices", form=form)


@login_required
@require_GET
def voices_mine(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    return _page(
        request,
        "mine.html",
        "my_voices",
        page=paginate(request, selectors.voices_of_member(member)),
    )


@login_required
@require_GET
def voice_mine_detail(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    voice = selectors.access_own_voice(_member(request), voice_id)
    services.voice_mark_read(voice=voice)
    return _page(request, "follow_detail.html", "my_voices", voice=voice, author_view=True)


@never_cache
@require_http_methods(["GET", "POST"])
def voice_follow(request: HttpRequest) -> HttpResponse:
    """The claim-code page: the code is posted, never put in an address or a log."""
    form = ClaimForm(request.POST or None)
    voice = None
    if form.is_valid():
        voice = selectors.voice_by_claim_code(form.cleaned_data["code"])
        if voice is None:
            form.add_error("code", _("No voice answers to this code. Check it and try again."))
    if voice is not None:
        return _page(request, "follow_detail.html", "follow", voice=voice, author_view=True)
    return _page(request, "follow.html", "follow", form=form)


# Colleagues: the idea board ----------------------------------------------------------------


@login_required
@require_GET
def ideas(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    mine_only = request.GET.get("where") == "unit"
    unit = member.unit if mine_only else None
    supported = selectors.supported_by(member)
    return _page(
        request,
        "ideas.html",
        "ideas",
        page=paginate(request, selectors.voices_rising(unit=unit)),
        supported=supported,
        mine_only=mine_only,
    )


@login_required
@require_GET
def idea_detail(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    member = _member(request)
    voice = selectors.access_shared_voice(member, voice_id)
    return _page(
        request,
        "idea_detail.html",
        "ideas",
        voice=voice,
        comments=selectors.voice_comments(voice),
        supported=voice.pk in selectors.supported_by(member),
        comment_form=CommentForm(),
        report_form=ReportForm(),
    )


@login_required
@require_POST
def idea_support(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    member = _member(request)
    voice = selectors.access_shared_voice(member, voice_id)
    if request.POST.get("withdraw"):
        services.voice_unsupport(voice=voice, member=member)
    else:
        services.voice_support(voice=voice, member=member)
    if request.POST.get("next") == "list":
        return redirect("voices:ideas")
    return redirect("voices:idea", voice.pk)


@login_required
@require_POST
def idea_comment(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    member = _member(request)
    voice = selectors.access_shared_voice(member, voice_id)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("text") or _("The comment is empty."))
        services.voice_comment_add(voice=voice, member=member, text=form.cleaned_data["text"])
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("voices:idea", voice.pk)


@login_required
@require_POST
def idea_report(
    request: HttpRequest, voice_id: UUID, comment_id: int | None = None
) -> HttpResponse:
    member = _member(request)
    voice = selectors.access_shared_voice(member, voice_id)
    comment = get_object_or_404(voice.comments, pk=comment_id) if comment_id else None
    try:
        services.voice_report(
            voice=voice, comment=comment, reporter=member, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Thank you: a moderator will look at it."))
    return redirect("voices:idea", voice.pk)


# Managers ----------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.voices_can_manage(scope):
        raise PermissionDenied
    units = selectors.units_for_choice(scope, scope_roots(scope).first())
    form = InboxFilterForm(request.GET or None, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    voices = selectors.voices_inbox(scope, now=now, **filters)
    return _page(
        request, "inbox.html", form=form, page=paginate(request, voices), now=now, form_units=units
    )


@login_required
@require_GET
def voice_detail(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    scope = request_scope(request)
    voice = selectors.access_voice(scope, voice_id)
    return _page(
        request,
        "detail.html",
        voice=voice,
        events=selectors.voice_timeline(voice),
        comments=selectors.voice_comments(voice, moderator=True),
        duplicates=selectors.voice_duplicates(voice) if voice.is_open else [],
        addressed=selectors.complaints_addressed(voice, language=get_language() or "fr"),
        answer_form=AnswerForm(),
        now=timezone.now(),
    )


def _act(
    request: HttpRequest, voice_id: UUID, action: Callable[..., Any], **kwargs: object
) -> HttpResponse:
    """Run one life-cycle service on a voice the user manages; its refusal becomes a message."""
    voice = selectors.access_voice(request_scope(request), voice_id, write=True)
    try:
        action(voice=voice, actor=request.user, **kwargs)
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("voices:detail", voice.pk)


@login_required
@require_POST
def voice_acknowledge(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    return _act(request, voice_id, services.voice_acknowledge)


@login_required
@require_POST
def voice_study(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    return _act(request, voice_id, services.voice_study)


@login_required
@require_POST
def voice_answer(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    return _act(
        request,
        voice_id,
        services.voice_answer,
        outcome=request.POST.get("outcome", ""),
        text=request.POST.get("text", ""),
        effect=request.POST.get("effect", ""),
    )


@login_required
@require_POST
def voice_merge(request: HttpRequest, voice_id: UUID) -> HttpResponse:
    scope = request_scope(request)
    into = selectors.access_voice(scope, request.POST.get("into"), write=True)
    return _act(request, voice_id, services.voice_merge, into=into)


@login_required
@require_POST
def voice_moderate(
    request: HttpRequest, voice_id: UUID, hide: bool, comment_id: int | None = None
) -> HttpResponse:
    voice = selectors.access_voice(request_scope(request), voice_id, write=True)
    comment = get_object_or_404(voice.comments, pk=comment_id) if comment_id else None
    services.voice_moderate(voice=voice, actor=request.user, hide=hide, comment=comment)
    messages.success(request, _("Hidden.") if hide else _("Restored."))
    if request.POST.get("next") == "queue":
        return redirect("voices:moderation")
    return redirect("voices:detail", voice.pk)


@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    reports = selectors.reports_open(request_scope(request))
    return _page(request, "moderation.html", page=paginate(request, reports))


@login_required
@require_POST
def report_dismiss(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.access_report(request_scope(request), report_id)
    services.voice_report_dismiss(report=report, actor=request.user)
    return redirect("voices:moderation")


def _unit_for(request: HttpRequest) -> Unit:
    """Return the unit asked for in ``?unit=``, else the first the user reaches or their own."""
    scope = request_scope(request)
    if request.GET.get("unit"):
        return access_unit(scope, request.GET["unit"])
    root = scope_roots(scope).first()
    if root is not None:
        return root
    return _member(request).unit


@login_required
@require_GET
def you_said_we_did(request: HttpRequest) -> HttpResponse:
    unit = _unit_for(request)
    return _page(
        request,
        "you_said.html",
        "you_said",
        unit=unit,
        units=selectors.units_for_choice(request_scope(request), unit),
        page=paginate(request, selectors.you_said_we_did(unit)),
    )


@login_required
@require_GET
def listening(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not selectors.voices_can_manage(scope):
        raise PermissionDenied
    unit = _unit_for(request)
    end = timezone.now()
    start = end - timedelta(days=365)
    rows = [
        (label, selectors.voices_listening(unit=unit, lens=lens, start=start, end=end))
        for lens, label in Lens.choices
        if lens != Lens.MANAGEMENT
    ]
    return _page(
        request,
        "listening.html",
        unit=unit,
        units=selectors.units_for_choice(scope, unit),
        rows=rows,
        start=start,
        end=end,
    )


# Customers ---------------------------------------------------------------------------------


@rate_limit("complaint", methods=("POST",))
@never_cache
@require_http_methods(["GET", "POST"])
def complaint_form(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise Http404("No such unit")
    form = ComplaintForm(request.POST or None)
    if form.is_valid() and form.cleaned_data["website"]:
        # A robot filled the hidden field: thank it and keep nothing.
        return _page(request, "complaint_thanks.html", "", unit=unit, code=None)
    if form.is_valid():
        try:
            received = services.complaint_receive(
                unit=unit,
                text=form.cleaned_data["text"],
                moment=form.cleaned_data["moment"] or None,
                contact_email=form.cleaned_data["contact_email"],
                source=VoiceSource.WEB_FORM,
                language=get_language() or "fr",
                with_claim_code=True,
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _page(
                request,
                "complaint_thanks.html",
                "",
                unit=unit,
                code=received.claim_code,
                repeated=not received.created,
                confirm_sent=received.created and bool(received.voice.contact_email),
            )
    return _page(request, "complaint_form.html", "", unit=unit, form=form)


@rate_limit("complaint", methods=("POST",))
@never_cache
@require_http_methods(["GET", "POST"])
def complaint_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a complaint's contact address: a button, so that a mail scanner confirms nothing."""
    if request.method != "POST":
        return _page(request, "complaint_confirm.html", "", token=token)
    try:
        services.complaint_contact_confirm(token=token)
    except ValidationError as error:
        return _page(request, "complaint_confirm.html", "", problem=error.messages[0], status=400)
    return _page(request, "complaint_confirm.html", "", confirmed=True)
