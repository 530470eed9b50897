from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from miroir.accounts.signin_selectors import sign_in_links_of_members
from miroir.core.pagination import paginate
from miroir.org import selectors
from miroir.org.imports_views import org_import_view  # noqa: F401  (routed in org.urls)
from miroir.voices.tablets import tablets_of_unit

MEMBERS_PER_PAGE = 50
UNITS_PER_PAGE = 60


@login_required
@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    scope = selectors.request_scope(request)
    if not scope.can_browse:
        raise PermissionDenied
    roots = selectors.scope_roots(scope).annotate(child_count=Count("children"))
    context = {"roots": paginate(request, roots, per_page=UNITS_PER_PAGE), "nav_section": "units"}
    return render(request, "org/unit_tree.html", context)


@login_required
@require_GET
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    scope = selectors.request_scope(request)
    unit = selectors.access_unit(scope, unit_id)
    ancestors = [a for a in selectors.unit_ancestors(unit) if scope.contains(a)]
    children = selectors.unit_children(unit).annotate(child_count=Count("children"))
    query = request.GET.get("q", "").strip()[:100]
    members = selectors.unit_members(unit, query=query)
    page = paginate(request, members, per_page=MEMBERS_PER_PAGE)
    page.object_list = list(page.object_list)
    links = sign_in_links_of_members([member.pk for member in page.object_list])
    for member in page.object_list:
        member.sign_in_links = links.get(member.pk, [])
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "children": paginate(request, children, per_page=UNITS_PER_PAGE, param="units_page"),
        "page": page,
        "query": query,
        "subtree_member_count": selectors.members_of_subtree(unit).filter(is_active=True).count(),
        "nav_section": "units",
        "tablets": tablets_of_unit(unit),
    }
    return render(request, "org/unit_detail.html", context)
