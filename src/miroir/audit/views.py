"""The audit log page: administrators read who did what, and check the chain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from miroir.audit.labels import action_label, details_text, target_label
from miroir.audit.models import AuditEntry
from miroir.audit.selectors import audit_chain_breaks
from miroir.core.pagination import paginate
from miroir.org.selectors import request_scope

PAGE_SIZE = 50


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not request_scope(request).is_administrator:
        raise PermissionDenied("Only administrators read the audit log")
    entries = AuditEntry.objects.order_by("-sequence")
    action = request.GET.get("action", "").strip()[:64]
    if action:
        entries = entries.filter(action__startswith=action)
    page = paginate(request, entries, per_page=PAGE_SIZE)
    breaks = None
    if request.GET.get("verify"):
        labels = {"changed": _("changed"), "missing": _("missing"), "truncated": _("cut off")}
        breaks = [(b.sequence, labels[b.reason]) for b in audit_chain_breaks()]
    rows = [
        {
            "entry": entry,
            "action": action_label(entry.action),
            "target": target_label(entry.target),
            "details": details_text(entry.details),
        }
        for entry in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "action": action,
        "breaks": breaks,
        "nav_section": "audit",
    }
    return render(request, "audit/list.html", context)
