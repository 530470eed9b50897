from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from miroir.core.pagination import paginate
from miroir.org.models import Member
from miroir.org.selectors import request_scope, scope_roots


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    member = Member.objects.filter(user=request.user).select_related("unit").first()
    roots = paginate(request, scope_roots(scope)) if scope.can_browse else None
    return render(request, "core/home.html", {"member": member, "roots": roots})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
