"""Refuse, before any view runs, input that no field of Miroir can take.

A NUL byte or a lone surrogate in a query parameter, a form field or a JSON body, and a
JSON body nested too deep or holding a number too long to be one (``miroir.core.inputs``),
would otherwise travel to a database query or a conversion and end as a 500. Here they get
a 4xx that names the field: the API's JSON error shape (422) under /api/, a JSON 400 for
other JSON clients (the kiosk sets the entry aside and sends the rest), a page otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from miroir.core.inputs import (
    InputError,
    JsonSyntaxError,
    json_decode,
    json_text_problems,
    text_problem,
    whole_number,
)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _pairs(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """Yield ``(field, value)`` for every query parameter and form field, names included."""
    for key, values in request.GET.lists():
        yield f"query.{key}", key
        for value in values:
            yield f"query.{key}", value
    if request.method == "POST" and request.content_type in FORM_TYPES:
        for key, values in request.POST.lists():
            yield key, key
            for value in values:
                yield key, value
        for key, uploads in request.FILES.lists():
            for upload in uploads:
                yield key, upload.name or ""


def _one_per_field(problems: list[InputError]) -> list[InputError]:
    """Return the first problem of each field (a name and its value may both be wrong)."""
    first: dict[str, InputError] = {}
    for problem in problems:
        first.setdefault(problem.field, problem)
    return list(first.values())


def input_problems(request: HttpRequest) -> list[InputError]:
    """Return what makes the request's input unacceptable, every field named (empty: none)."""
    try:
        problems = [
            InputError(field, problem)
            for field, value in _pairs(request)
            if (problem := text_problem(value))
        ]
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError):
        # Django answers these itself when the view reads the body.
        return []
    if problems:
        return _one_per_field(problems)
    if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
        try:
            return _one_per_field(json_text_problems(json_decode(request.body, check_text=False)))
        except JsonSyntaxError:
            return []  # the view answers unreadable JSON in its own shape
        except InputError as error:
            return [error]
        except RequestDataTooBig:
            return []
    return []


def _problem(error: InputError) -> dict[str, Any]:
    """Return the API's ``ProblemOut`` of ``error``: the dotted field and its batch index."""
    parts = error.field.split(".")
    index = next((n for part in parts if (n := whole_number(part)) is not None), None)
    return {"field": error.field, "message": error.message, "index": index}


def refusal(request: HttpRequest, errors: list[InputError]) -> HttpResponse:
    """Return the 4xx answer naming the refused fields, in the shape the client reads."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "validation_error",
                "message": _("Invalid request."),
                "errors": [_problem(error) for error in errors],
            },
            status=422,
        )
    first = errors[0]
    if request.content_type == "application/json":
        return JsonResponse(
            {
                "code": "bad_request",
                "message": first.message,
                "field": first.field,
                "errors": [_problem(error) for error in errors],
            },
            status=400,
        )
    context = {"field": first.field.removeprefix("query."), "message": first.message}
    return render(request, "400.html", context, status=400)


class InputGuardMiddleware:
    """Answer a request holding unacceptable input with a 4xx before its view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        errors = input_problems(request)
        if errors:
            return refusal(request, errors)
        return self.get_response(request)
