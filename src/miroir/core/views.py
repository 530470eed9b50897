from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from miroir.core.home_charts import home_with_charts
from miroir.core.pagination import paginate
from miroir.core.selectors import home_for
from miroir.org.selectors import request_scope, scope_roots
from miroir.results.selectors import results_session


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The home page: the member's own part, and the units or network they look after."""
    scope = request_scope(request)
    now = timezone.now()
    with results_session():
        found = home_for(scope, now=now, unit_id=request.GET.get("unit") or None)
    roots = None
    if scope.can_browse and not (found.units or found.networks):
        roots = paginate(request, scope_roots(scope))
    member = found.personal.member if found.personal else None
    context = {"home": home_with_charts(found), "member": member, "now": now, "roots": roots}
    return render(request, "core/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
