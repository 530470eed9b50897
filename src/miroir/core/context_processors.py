from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miroir.collect.selectors import waves_can_view
from miroir.instruments.selectors import instruments_can_view
from miroir.journeys.selectors import journeys_can_view
from miroir.org.selectors import request_scope
from miroir.results.selectors import publications_exist_for, results_can_view
from miroir.voices.selectors import my_voices_label, voices_can_manage


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return the navigation entries the user's roles give access to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = request_scope(request)
    items = [(reverse("core:home"), _("Home"), "home")]
    if scope.can_browse:
        items.append((reverse("org:unit_tree"), _("Organisation"), "units"))
    if instruments_can_view(scope):
        items.append((reverse("instruments:list"), _("Questionnaires"), "instruments"))
    if journeys_can_view(scope):
        items.append((reverse("journeys:list"), _("Journeys"), "journeys"))
    if waves_can_view(scope):
        items.append((reverse("collect:wave_list"), _("Waves"), "waves"))
    if results_can_view(scope):
        items.append((reverse("reports:network"), _("Results"), "results"))
    if scope.member_id is not None and publications_exist_for(scope):
        items.append((reverse("reports:published"), _("Published results"), "published"))
    if voices_can_manage(scope):
        items.append((reverse("voices:inbox"), _("Voices"), "voices"))
    if scope.member_id is not None or scope.can_browse:
        items.append((reverse("maps:mine"), _("Satisfaction maps"), "maps"))
    if scope.member_id is not None:
        items.append((reverse("voices:mine"), my_voices_label(scope.member_id), "my_voices"))
        items.append((reverse("voices:ideas"), _("Ideas"), "ideas"))
    if scope.is_administrator:
        items.append((reverse("org:import"), _("Import"), "import"))
        items.append((reverse("api_tokens:list"), _("API tokens"), "tokens"))
        items.append((reverse("webhooks:list"), _("Webhooks"), "webhooks"))
        items.append((reverse("audit:list"), _("Audit log"), "audit"))
        items.append((reverse("accounts:security_admin"), _("Logins"), "accounts"))
        items.append((reverse("operations:task_failures"), _("Background tasks"), "tasks"))
        items.append((reverse("privacy:search"), _("Personal data"), "privacy"))
    current = request.resolver_match.url_name if request.resolver_match else ""
    return {"nav_items": items, "nav_current": current, "scope": scope}
