"""Respondent pages: the survey behind a personal or open link, and what follows it.

Phone first, in the respondent's language, no navigation. Nothing here logs, and
``miroir.collect.logging`` keeps tokens out of Django's own request logs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from miroir.collect import selectors, services
from miroir.collect.errors import AlreadyAnswered, CollectError, ResponseRejected, UnknownLink
from miroir.collect.models import Language
from miroir.collect.selectors import Target
from miroir.collect.tokens import draft_key, submission_id_new, unsubscribe_read
from miroir.collect.wavecache import fragments, wave_view
from miroir.core.middleware import csrf_opaque_origin
from miroir.core.ratelimit import rate_limit
from miroir.instruments.forms import item_field_name

FIELD_PREFIX = "q-"

# Title and explanation of each page that is not the form, by error code.
NOTICES: dict[str, tuple[Any, Any]] = {
    "collect.unknown_link": (
        gettext_lazy("This link leads nowhere"),
        gettext_lazy(
            "We found no survey behind this link. Check that it was copied whole, "
            "or use the latest message you received."
        ),
    ),
    "collect.wrong_unit": (
        gettext_lazy("This link leads nowhere"),
        gettext_lazy("This survey is not open to the unit named in the link."),
    ),
    "collect.not_open": (
        gettext_lazy("Not open yet"),
        gettext_lazy("This survey has not started yet. Come back once it opens."),
    ),
    "collect.closed": (
        gettext_lazy("This survey is closed"),
        gettext_lazy("This survey no longer takes answers. Thank you for your interest."),
    ),
    "collect.expired": (
        gettext_lazy("This link has expired"),
        gettext_lazy("This invitation can no longer be used."),
    ),
    "collect.already_answered": (
        gettext_lazy("You have already answered"),
        gettext_lazy(
            "Answers to this survey have already been sent with this link. "
            "Each link can be used once. Thank you for taking part."
        ),
    ),
}


def no_referrer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Return the view with ``Referrer-Policy: no-referrer`` on every answer it gives.

    For pages whose address holds a secret (a personal link's token, a signed
    unsubscribe value, a kiosk): neither the page's own assets nor a link followed from it
    carry the address in a ``Referer`` that a proxy or another site would log.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _language(request: HttpRequest, default: str) -> str:
    asked = request.POST.get("lang") or request.GET.get("lang")
    return asked if asked in Language.values else default


def _render(
    request: HttpRequest, template: str, language: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    with translation.override(language):
        response = render(
            request, f"collect/{template}", {"language": language, **context}, status=status
        )
    response["Content-Language"] = str(language)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _notice(request: HttpRequest, error: CollectError, language: str) -> HttpResponse:
    with translation.override(language):
        title, text = (str(part) for part in NOTICES[error.code])
    context = {"title": title, "text": text, "draft_done": isinstance(error, AlreadyAnswered)}
    return _render(request, "respond_notice.html", language, context, status=error.status)


def _anchor(item: Any, code: str) -> str:
    """Return the id the error summary links to: the text box, or the first choice."""
    base = f"id-{FIELD_PREFIX}{code}"
    return base if item is None or item.scale == "free_text" else f"{base}-0"


def _question(item: Any, language: str) -> str:
    """Return ``item`` rendered as a blank question, as ``respond_form.html`` includes it."""
    context = {
        "item": item,
        "field_name": item_field_name(item),
        "value": None,
        "error": "",
        "language": language,
    }
    with translation.override(language):
        return mark_safe(render_to_string("instruments/_item_field.html", context))  # noqa: S308


def _form(
    request: HttpRequest,
    target: Target,
    language: str,
    *,
    draft: str,
    problems: Sequence[Any] = (),
    submission_id: str = "",
) -> HttpResponse:
    view = wave_view(target.wave)
    items = view.items
    by_code = {item.code: item for item in items}
    errors = {problem.item_code: problem.message for problem in problems}
    # A blank question renders the same for every respondent of the wave: once per language.
    blank = fragments(view, language, lambda item: _question(item, language))
    rows = [
        {
            "item": item,
            "field_name": item_field_name(item),
            "value": request.POST.get(item_field_name(item)),
            "error": errors.get(item.code, ""),
            "html": html,
        }
        for item, html in zip(items, blank, strict=True)
    ]
    summary = [
        {
            "anchor": _anchor(by_code[p.item_code], p.item_code) if p.item_code in by_code else "",
            "label": by_code[p.item_code].text(language) if p.item_code in by_code else "",
            "message": p.message,
        }
        for p in problems
    ]
    context = {
        "title": selectors.respondent_heading(unit=target.unit),
        "lens": target.wave.lens,
        "rows": rows,
        "summary": summary,
        "submission_id": submission_id or submission_id_new(),
        "draft_key": draft,
        "anonymous": target.wave.protects_identity,
        # Management's estimate is attributed: said before anyone answers.
        "author": selectors.estimate_author(target),
        "estimate_label": selectors.estimate_label(target.unit),
        "unit": target.unit,
        "moment": request.GET.get("m", "") if target.moment else "",
    }
    return _render(request, "respond_form.html", language, context, status=400 if problems else 200)


def _respond(
    request: HttpRequest,
    resolve: Callable[[], Target],
    submit: dict[str, Any],
    draft: Callable[[Target], str],
) -> HttpResponse:
    """Return the form, the outcome of a submission, or the page saying why neither."""
    language = _language(request, Language.FRENCH)
    try:
        if request.method != "POST":
            target = resolve()
            language = _language(request, target.language)
            selectors.target_check(target, now=timezone.now())
            return _form(request, target, language, draft=draft(target))
        # The form posts its language, so the answers go straight to the service, which
        # reads the wave and the unit itself; only a refusal reads them here again.
        if request.POST.get("lang") not in Language.values:
            language = _language(request, resolve().language)
        answers = {
            name.removeprefix(FIELD_PREFIX): value
            for name, value in request.POST.items()
            if name.startswith(FIELD_PREFIX)
        }
        submission_id = request.POST.get("submission_id") or submission_id_new()
        try:
            # Without scripts the page shows every item: answers to the ones the logic
            # skips are dropped, never stored, rather than held against the respondent.
            services.response_submit(
                answers=answers,
                submission_id=submission_id,
                language=language,
                not_asked="ignore",
                **submit,
            )
        except ResponseRejected as rejected:
            target = resolve()
            return _form(
                request,
                target,
                language,
                draft=draft(target),
                problems=rejected.problems,
                submission_id=submission_id,
            )
    except CollectError as error:
        return _notice(request, error, language)
    return redirect(f"{reverse('collect:respond_thanks')}?lang={language}")


@rate_limit("survey")
@require_http_methods(["GET", "POST"])
@never_cache
@no_referrer
@csrf_opaque_origin
def respond(request: HttpRequest, token: str) -> HttpResponse:
    return _respond(
        request,
        lambda: selectors.target_for_token(token),
        {"invitation_token": token},
        lambda target: draft_key(token),
    )


@rate_limit("survey")
@require_http_methods(["GET", "POST"])
@never_cache
@no_referrer
@csrf_opaque_origin
def respond_open(request: HttpRequest, public_id: str, unit_id: int) -> HttpResponse:
    # The journey moment of a QR poster stays in the query, so the form posts it back.
    moment = request.GET.get("m") or None
    return _respond(
        request,
        lambda: selectors.target_for_open_link(public_id, unit_id, moment=moment),
        {"open_link": (public_id, unit_id), "moment": moment},
        lambda target: draft_key(f"{target.wave.public_id}/{target.unit.pk}"),
    )


@require_GET
def respond_thanks(request: HttpRequest) -> HttpResponse:
    language = _language(request, Language.FRENCH)
    with translation.override(language):
        context = {
            "title": _("Thank you"),
            "text": _("Your answers have been recorded."),
            "draft_done": True,
        }
    return _render(request, "respond_notice.html", language, context)


# A POST without a CSRF token is how mail clients unsubscribe in one click (RFC 8058); the
# signed value in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
@no_referrer
def unsubscribe(request: HttpRequest, signed: str) -> HttpResponse:
    language = _language(request, Language.FRENCH)
    contact = unsubscribe_read(signed)
    if contact is None:
        return _notice(request, UnknownLink(), language)
    done = request.method == "POST"
    if done:
        services.contact_opt_out(contact=contact)
    return _render(request, "unsubscribe.html", language, {"done": done})
