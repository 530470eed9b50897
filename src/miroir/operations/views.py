"""Administrators' operations pages: the background task queue and the tasks that gave up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miroir.core.pagination import paginate
from miroir.operations import selectors, services
from miroir.org.selectors import request_scope

PAGE_SIZE = 50


@login_required
@require_GET
def task_failure_list(request: HttpRequest) -> HttpResponse:
    selectors.access_operations(request_scope(request))
    everything = request.GET.get("all") == "1"
    failures = selectors.task_failures(include_dismissed=everything)
    page = paginate(request, failures, per_page=PAGE_SIZE)
    context = {
        "page": page,
        "everything": everything,
        "queue": selectors.task_queue(),
        "nav_section": "tasks",
    }
    return render(request, "operations/task_failures.html", context)


@login_required
@require_POST
def task_failure_dismiss(request: HttpRequest, failure_id: int) -> HttpResponse:
    failure = selectors.access_task_failure(request_scope(request), failure_id)
    services.task_failure_dismiss(failure=failure, actor=request.user)
    messages.success(request, _("The failure is marked as dealt with."))
    return redirect("operations:task_failures")


@login_required
@require_POST
def task_failure_retry(request: HttpRequest, failure_id: int) -> HttpResponse:
    failure = selectors.access_task_failure(request_scope(request), failure_id)
    try:
        services.task_failure_retry(failure=failure, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The task is queued again, from its first attempt."))
    return redirect("operations:task_failures")
