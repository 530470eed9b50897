"""The access-control matrix: every route of Miroir and the answer each role gets from it.

``tests/security/test_access_matrix.py`` walks every URL pattern and every operation of the
OpenAPI document and fails for one that is not declared here, then calls each declared route
as each role and compares the answers. Adding a route is one line:

    page("voices:detail", get=MANAGERS_OF_UNIT, post="login 403 403 404 404 200 200 200"),
    api("GET /voices/{voice_id}", "401 403 403 404 404 200 200 200 404 200"),

An answer line has one word per role, in the order of the header comments below: a status
code, or ``login`` (302 to the login page). A route's URL arguments come from
``tests/security/world.py`` by name (``unit_id`` is Lille, ``wave_id`` a draft wave over
Lille…); ``kwargs={"wave_id": "open_wave_id"}`` picks another value. For every role whose
POST is answered with ``login`` or a 4xx, the test also checks that the database is unchanged.
A route that takes POSTs without a CSRF token says why in ``csrf_exempt``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

WEB_ROLES = (
    "anonymous",
    "employee",  # Émile, of a team of Lille
    "partner",  # Paul, a contractor attached to Lille
    "sibling",  # Simon, manager of Arras, Lille's sibling shop
    "other_region",  # Rose, manager of the Sud region
    "manager",  # Sophie, manager of Lille: "the unit" of every route
    "direction",  # Diane
    "admin",  # Ada
)
# The API adds two integration tokens: one scoped to Sud, one scoped to Lille.
API_ROLES = (*WEB_ROLES, "token_other", "token_unit")

Answers = str
DataFactory = Callable[[Any], dict[str, Any]]

# Web pages (columns: anonymous employee partner sibling other_region manager direction admin).
PUBLIC_200 = "200 200 200 200 200 200 200 200"
PUBLIC_302 = "302 302 302 302 302 302 302 302"
PUBLIC_403 = "403 403 403 403 403 403 403 403"
PUBLIC_404 = "404 404 404 404 404 404 404 404"
PUBLIC_405 = "405 405 405 405 405 405 405 405"
LOGGED_IN = "login 200 200 200 200 200 200 200"
MANAGERS = "login 403 403 200 200 200 200 200"  # anyone with a unit to browse
MANAGERS_OF_UNIT = "login 404 404 404 404 200 200 200"  # Lille's manager, direction, admin
EDITORS = "login 403 403 403 403 403 200 200"  # direction and administrators
EDITORS_OF_WAVE = "login 403 403 404 404 403 200 200"  # a wave over Lille, to change
ADMIN_ONLY = "login 403 403 403 403 403 403 200"
LOGIN_THEN_405 = "login 405 405 405 405 405 405 405"  # POST-only routes, asked with GET
ADMIN_ACTION = "login 403 403 403 403 403 403 302"
# Results: managers see their subtree (another unit is a 404), the direction everything,
# employees and partners nothing (403).
RESULTS = "login 403 403 200 200 200 200 200"
RESULTS_OF_UNIT = "login 403 403 404 404 200 200 200"
RESULTS_ACTION = "login 403 403 404 404 302 302 302"  # publish Lille's results, withdraw them
# Voices: managers answer those of their subtree; someone else's voice is a 404 to anyone
# who does not manage its unit, whatever their role.
VOICES_MANAGERS = "login 403 403 200 200 200 200 200"
VOICE_ACTION = "login 404 404 404 404 302 302 302"
MEMBERS_ACT = "login 302 302 302 302 302 302 302"  # every member of the organisation
# Satisfaction maps: a map wave over Lille, closed with its maps published.
MAP_WAVE = {"wave_id": "wave_id_map"}
MAP_STEP = "login 403 403 404 404 403 302 302"  # open or close it: direction and administrators


@dataclass(frozen=True)
class Page:
    """A Django URL pattern, by its ``namespace:name``."""

    name: str
    get: Answers | None = None
    post: Answers | None = None
    kwargs: dict[str, str] = field(default_factory=dict)
    query: DataFactory | None = None
    data: DataFactory | None = None
    content_type: str | None = None
    csrf_exempt: str = ""


@dataclass(frozen=True)
class Operation:
    """An operation of the OpenAPI document: ``"GET /units/{unit_id}"`` under /api/v1."""

    key: str
    answers: Answers
    body: DataFactory | None = None
    query: DataFactory | None = None

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.key.split(" ", 1)[1]


def page(
    name: str, get: Answers | None = None, post: Answers | None = None, **options: Any
) -> Page:
    return Page(name, get, post, **options)


def api(key: str, answers: Answers, **options: Any) -> Operation:
    return Operation(key, answers, **options)


def _respond(world: Any) -> dict[str, Any]:
    return {"q-ecoute": "4", "q-idee": "Plus de café"}


def _complaints(world: Any) -> dict[str, Any]:
    return {
        "complaints": [
            {"external_id": "plainte-1", "unit": "U-LILLE", "text": "Trop d'attente en caisse."}
        ]
    }


def _wave(world: Any) -> dict[str, Any]:
    return {
        "instrument": world.instrument.pk,
        "name": "Vague créée",
        "lens": "employee",
        "units": [world.personas.lille.pk],
        # Planned dates lie at most ten years ahead (docs/security.md, "Input rules").
        "closes_at": (timezone.localtime() + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M"),
        "channels": ["link"],
        "kind": "cold",
        "language": "fr",
        "threshold_scores": 5,
        "threshold_verbatims": 10,
    }


def _pulse(world: Any) -> dict[str, Any]:
    return {
        "instrument": world.instrument.pk,
        "name": "Pouls créé",
        "lens": "employee",
        "units": [world.personas.lille.pk],
        "channels": ["link"],
        "language": "fr",
        "threshold_scores": 5,
        "threshold_verbatims": 10,
        "every_weeks": 4,
        "open_days": 10,
        "starts_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "opens_at_time": "09:00",
    }


def _message(world: Any) -> dict[str, Any]:
    return {"message_fr": "Votre avis compte, répondez !", "message_en": "Your opinion counts."}


def _webhook_form(world: Any) -> dict[str, Any]:
    return {
        "name": "Ticketing",
        "url": "https://hooks.example.com/miroir",
        "events": ["voice.received", "wave.opened"],
        "unit": "",
        "active": "on",
    }


def _webhook(world: Any) -> dict[str, Any]:
    return {
        "name": "Ticketing",
        "url": "https://hooks.example.com/miroir",
        "events": ["complaint.received"],
        "unit": "U-LILLE",
    }


def _interactions(world: Any) -> dict[str, Any]:
    return {
        "source": "matrix",
        "interactions": [
            {
                "external_id": "vente-1",
                "unit": "U-LILLE",
                "occurred_at": "2026-01-05T10:00:00+01:00",
                "consent": True,
            }
        ],
    }


WEB: list[Page] = [
    page("core:home", get=LOGGED_IN),
    page("core:healthz", get=PUBLIC_200),
    # Installing on a phone: the manifest, the service worker, the offline page (no session).
    page("core:manifest", get=PUBLIC_200, post=PUBLIC_405),
    page("core:service_worker", get=PUBLIC_200, post=PUBLIC_405),
    page("core:offline", get=PUBLIC_200, post=PUBLIC_405),
    page(
        "accounts:login",
        get="200 302 302 302 302 302 302 302",
        post="200 302 302 302 302 302 302 302",
        data=lambda w: {"username": "nobody@example.com", "password": "wrong"},
    ),
    page("accounts:logout", get=PUBLIC_405, post="login login login login login login login login"),
    page(
        "accounts:password_reset",
        get=PUBLIC_200,
        post=PUBLIC_302,
        data=lambda w: {"email": "nobody@example.com"},
    ),
    page("accounts:password_reset_done", get=PUBLIC_200),
    # Signing in by phone: the same answer whether the number has a login or not.
    page(
        "accounts:login_phone",
        get="200 302 302 302 302 302 302 302",
        post=PUBLIC_302,
        data=lambda w: {"phone": "06 98 76 54 32"},
    ),
    # Without a number asked for first, back to the number.
    page(
        "accounts:login_phone_code", get=PUBLIC_302, post=PUBLIC_302, data=lambda w: {"code": "1"}
    ),
    # Fatou's link: its page for anyone, and it signs whoever posts it in (once).
    page(
        "accounts:login_link",
        get=PUBLIC_200,
        post=PUBLIC_302,
        kwargs={"token": "sign_in_token"},
    ),
    # Fatou's phone kept signed in: only she ends it; for anyone else it does not exist.
    page(
        "accounts:session_end",
        get=LOGIN_THEN_405,
        post="login 404 404 404 404 404 404 404",
    ),
    # Handing out a link to Fatou (Lille) and revoking hers: whoever manages Lille.
    page(
        "accounts:member_sign_in_link",
        get=LOGIN_THEN_405,
        post=MANAGERS_OF_UNIT,
        kwargs={"member_id": "phone_member_id"},
    ),
    page("accounts:sign_in_link_revoke", get=LOGIN_THEN_405, post=VOICE_ACTION),
    page(
        "accounts:password_reset_confirm",
        get=PUBLIC_302,
        post=PUBLIC_302,
        kwargs={"token": "reset_token"},
    ),
    page("accounts:password_reset_complete", get=PUBLIC_200),
    page("org:unit_tree", get=MANAGERS),
    page("org:unit_detail", get=MANAGERS_OF_UNIT),
    page("org:import", get=ADMIN_ONLY, post=ADMIN_ONLY),
    page("instruments:list", get=MANAGERS),
    page(
        "instruments:create",
        get=EDITORS,
        post="login 403 403 403 403 403 302 302",
        data=lambda w: {"title_fr": "Nouveau", "title_en": "New", "kind": "pulse"},
    ),
    page("instruments:import", get=EDITORS, post=EDITORS),
    page("instruments:catalog_load", get=LOGIN_THEN_405, post="login 403 403 403 403 403 403 302"),
    page("instruments:detail", get=MANAGERS),
    page("instruments:edit", get=EDITORS, post=EDITORS),
    page("instruments:duplicate", get=LOGIN_THEN_405, post="login 403 403 403 403 403 302 302"),
    page("instruments:export", get=MANAGERS),
    page("instruments:preview", get=MANAGERS),
    page("instruments:mirror_create", get=EDITORS, post=EDITORS),
    page("instruments:item_create", get=EDITORS, post=EDITORS),
    page("instruments:item_edit", get=EDITORS, post=EDITORS),
    page("instruments:item_delete", get=LOGIN_THEN_405, post="login 403 403 403 403 403 302 302"),
    page(
        "instruments:item_move",
        get=LOGIN_THEN_405,
        post="login 403 403 403 403 403 302 302",
        data=lambda w: {"direction": "down"},
    ),
    page("journeys:list", get=MANAGERS),
    page("journeys:create", get=EDITORS, post=EDITORS),
    page(
        "journeys:template_load",
        get=LOGIN_THEN_405,
        post="login 403 403 403 403 403 302 302",
        kwargs={"code": "template_code"},
    ),
    page("journeys:detail", get=MANAGERS),
    page("journeys:edit", get=EDITORS, post=EDITORS),
    page("journeys:moment_create", get=EDITORS, post=EDITORS),
    page(
        "journeys:moment_edit", get=EDITORS, post=EDITORS, kwargs={"moment_id": "journey_moment_id"}
    ),
    page("maps:mine", get=LOGGED_IN),
    page("maps:wave_create", get=EDITORS, post=EDITORS),
    page("maps:wave", get=RESULTS_OF_UNIT, kwargs=MAP_WAVE),
    page("maps:wave_open", get=LOGIN_THEN_405, post=MAP_STEP, kwargs=MAP_WAVE),
    page("maps:wave_close", get=LOGIN_THEN_405, post=MAP_STEP, kwargs=MAP_WAVE),
    page("maps:unit", get=RESULTS_OF_UNIT, kwargs=MAP_WAVE),
    page(
        "maps:pain_point",
        get=LOGIN_THEN_405,
        post=RESULTS_ACTION,
        kwargs={**MAP_WAVE, "code": "moment_code"},
    ),
    # Émile answers for his team, Sophie her estimate; nobody else of the matrix is asked.
    page(
        "maps:respond",
        get="login 200 404 404 404 200 404 404",
        post="login 200 404 404 404 200 404 404",
        kwargs={"public_id": "map_public_id"},
    ),
    page(
        "maps:published",
        get="login 200 200 404 404 200 200 200",
        kwargs={"publication_id": "map_publication_id"},
    ),
    page(
        "maps:withdraw",
        get=LOGIN_THEN_405,
        post=RESULTS_ACTION,
        kwargs={"publication_id": "map_publication_id"},
    ),
    page(
        "maps:republish",
        get=LOGIN_THEN_405,
        post=RESULTS_ACTION,
        kwargs={"publication_id": "map_publication_id"},
    ),
    page("api_tokens:list", get=ADMIN_ONLY),
    page(
        "api_tokens:create",
        get=LOGIN_THEN_405,
        post=ADMIN_ONLY,
        data=lambda w: {"name": "Nouvelle caisse", "unit": w.personas.lille.pk},
    ),
    page("api_tokens:revoke", get=LOGIN_THEN_405, post="login 403 403 403 403 403 403 302"),
    page("audit:list", get=ADMIN_ONLY),
    page("webhooks:list", get=ADMIN_ONLY),
    page("webhooks:create", get=LOGIN_THEN_405, post=ADMIN_ONLY, data=_webhook_form),
    page("webhooks:detail", get=ADMIN_ONLY),
    page("webhooks:edit", get=LOGIN_THEN_405, post=ADMIN_ACTION, data=_webhook_form),
    page("webhooks:test", get=LOGIN_THEN_405, post=ADMIN_ACTION),
    page("webhooks:rotate", get=LOGIN_THEN_405, post=ADMIN_ONLY),
    page("webhooks:delete", get=LOGIN_THEN_405, post=ADMIN_ACTION),
    page("collect:wave_list", get=MANAGERS),
    page("collect:wave_create", get=EDITORS, post="login 403 403 403 403 403 302 302", data=_wave),
    page("collect:wave_detail", get="login 403 403 404 404 200 200 200"),
    page("collect:wave_edit", get=EDITORS_OF_WAVE, post=EDITORS_OF_WAVE),
    page("collect:wave_launch", get=LOGIN_THEN_405, post="login 403 403 404 404 403 302 302"),
    page(
        "collect:wave_close",
        get=LOGIN_THEN_405,
        post="login 403 403 404 404 403 302 302",
        kwargs={"wave_id": "open_wave_id"},
    ),
    page(
        "collect:wave_thresholds",
        get=LOGIN_THEN_405,
        post="login 403 403 404 404 403 302 302",
        data=lambda w: {"scores": 7, "verbatims": 12},
    ),
    page(
        "collect:wave_links_csv",
        get=LOGIN_THEN_405,
        post="login 403 403 404 404 403 403 200",
        kwargs={"wave_id": "open_wave_id"},
    ),
    page(
        "collect:wave_poster",
        get="login 403 403 404 404 200 200 200",
        kwargs={"wave_id": "open_wave_id"},
        query=lambda w: {
            "poster-unit": w.personas.lille.pk,
            "poster-language": "fr",
            "poster-format": "png",
        },
    ),
    page(
        "collect:wave_kiosk",
        get=LOGIN_THEN_405,
        post=EDITORS_OF_WAVE,
        kwargs={"wave_id": "open_wave_id"},
        data=lambda w: {"kiosk-unit": w.personas.lille.pk},
    ),
    page(
        "collect:wave_kiosk_revoke",
        get=LOGIN_THEN_405,
        post="login 403 403 404 404 302 302 302",
        kwargs={"wave_id": "open_wave_id"},
    ),
    page("collect:wave_calendar", get=MANAGERS),
    page(
        "collect:wave_message",
        get=EDITORS_OF_WAVE,
        post="login 403 403 404 404 403 302 302",
        data=_message,
    ),
    page("collect:pulse_list", get=MANAGERS),
    page(
        "collect:pulse_create", get=EDITORS, post="login 403 403 403 403 403 302 302", data=_pulse
    ),
    page("collect:pulse_detail", get="login 403 403 404 404 200 200 200"),
    page(
        "collect:pulse_edit",
        get=EDITORS_OF_WAVE,
        post="login 403 403 404 404 403 302 302",
        data=_pulse,
    ),
    page(
        "collect:pulse_message",
        get=EDITORS_OF_WAVE,
        post="login 403 403 404 404 403 302 302",
        data=_message,
    ),
    page("collect:pulse_pause", get=LOGIN_THEN_405, post="login 403 403 404 404 403 302 302"),
    page("collect:pulse_resume", get=LOGIN_THEN_405, post="login 403 403 404 404 403 302 302"),
    page("collect:pulse_stop", get=LOGIN_THEN_405, post="login 403 403 404 404 403 302 302"),
    page("collect:respond_thanks", get=PUBLIC_200),
    page("collect:respond", get=PUBLIC_200, post=PUBLIC_302, data=_respond),
    page("collect:respond_open", get=PUBLIC_200, post=PUBLIC_302, data=_respond),
    page(
        "collect:unsubscribe",
        get=PUBLIC_200,
        post=PUBLIC_200,
        csrf_exempt="one-click unsubscribe from a mail client (RFC 8058): the signed URL is "
        "the authority, and opting out is all it can do",
    ),
    page(
        "collect:sms_webhook_twilio",
        get=PUBLIC_405,
        post=PUBLIC_403,
        data=lambda w: {"MessageSid": "SM1", "From": "+33612345678", "Body": "STOP"},
        csrf_exempt="called by the SMS provider, which signs every request "
        "(X-Twilio-Signature) instead",
    ),
    page("collect:poster_link", get=PUBLIC_302),
    page("collect:poster_link_moment", get=PUBLIC_302),
    # Without its cookie, a kiosk answers the setup page (the key comes in a POST body).
    page("collect:kiosk", get=PUBLIC_200),
    page(
        "collect:kiosk_setup",
        get=PUBLIC_405,
        post=PUBLIC_200,
        data=lambda w: {"key": w["kiosk_key"]},
    ),
    page(
        "collect:kiosk_submit",
        get=PUBLIC_405,
        post=PUBLIC_403,
        content_type="application/json",
        data=lambda w: {"answers": {"ecoute": "4"}},
        csrf_exempt="a kiosk tablet left open for weeks; it is authenticated by its signed "
        "HttpOnly SameSite cookie, a header derived from it, and the Origin check",
    ),
    page("collect:kiosk_manifest", get=PUBLIC_200),
    # A shop tablet for anonymous voices: without its cookie, its set-up page (a POST is
    # refused); the set-up takes the key in a POST body. Managers of Lille make and revoke one.
    page("voices:tablet", get=PUBLIC_200, post=PUBLIC_403, data=lambda w: {"text": "Bonjour"}),
    page(
        "voices:tablet_setup",
        get=PUBLIC_405,
        post=PUBLIC_200,
        data=lambda w: {"key": w["tablet_key"]},
    ),
    page("voices:tablet_new", get=LOGIN_THEN_405, post=MANAGERS_OF_UNIT),
    page("voices:tablet_revoke", get=LOGIN_THEN_405, post=VOICE_ACTION),
    page("set_language", get=PUBLIC_302, post=PUBLIC_302, data=lambda w: {"language": "en"}),
    page("api:openapi-json", get=PUBLIC_200),
    page("api:openapi-view", get=PUBLIC_200),
    page("api:api-root", get=PUBLIC_404),
    page(
        "accounts:login_verify",
        get=PUBLIC_302.replace("302", "login"),
        post=PUBLIC_302.replace("302", "login"),
        data=lambda w: {"code": "123456"},
    ),
    # Single sign-on: the button sends a visitor to the provider, someone logged in home; the
    # way back without a flow started in this browser is refused (no state).
    page("accounts:sso_start", get=PUBLIC_302, post=PUBLIC_405),
    page("accounts:sso_callback", get="403 302 302 302 302 302 302 302", post=PUBLIC_405),
    # Without a device yet: the page offers the set-up; a wrong first code shows the form again.
    page("accounts:two_factor", get=LOGGED_IN, post=LOGGED_IN),
    page("accounts:two_factor_setup", get=LOGGED_IN, post=LOGGED_IN, data=lambda w: {"code": "1"}),
    # Recovery codes and turning off need a device: without one, back to the 2FA page.
    page("accounts:two_factor_recovery_codes", get=MEMBERS_ACT, post=MEMBERS_ACT),
    page("accounts:two_factor_disable", get=LOGIN_THEN_405, post=MEMBERS_ACT),
    page("accounts:security_admin", get=ADMIN_ONLY, post=LOGIN_THEN_405),
    page("accounts:two_factor_reset", get=LOGIN_THEN_405, post=ADMIN_ACTION),
    page("accounts:login_unlock", get=LOGIN_THEN_405, post=ADMIN_ACTION),
    # Émile's login: the administrator disables it (confirmed), or enables it (already active).
    page(
        "accounts:account_disable",
        get=LOGIN_THEN_405,
        post=ADMIN_ACTION,
        data=lambda w: {"confirm": "on"},
    ),
    page("accounts:account_enable", get=LOGIN_THEN_405, post=ADMIN_ACTION),
    page("reports:network", get=RESULTS, post=LOGIN_THEN_405),
    page("reports:unit", get=RESULTS_OF_UNIT, post=LOGIN_THEN_405),
    page("reports:linkage", get=RESULTS, post=LOGIN_THEN_405),
    page("reports:network_comments", get=RESULTS, post=LOGIN_THEN_405),
    page("reports:comments", get=RESULTS_OF_UNIT, post=LOGIN_THEN_405),
    # The world holds no response: an allowed export answers 400 "no period holds results".
    page("reports:unit_export", get="login 403 403 404 404 400 400 400", post=LOGIN_THEN_405),
    page("reports:export", get="login 403 403 400 400 400 400 400", post=LOGIN_THEN_405),
    # The PDF reports, scoped like their pages; no response yet: 400 "nothing to report".
    page("reports:unit_report", get="login 403 403 404 404 400 400 400", post=LOGIN_THEN_405),
    page("reports:network_report", get="login 403 403 400 400 400 400 400", post=LOGIN_THEN_405),
    # Monthly PDF reports: the page lists those in scope; setting one up for Lille (to its
    # manager) and stopping Lille's return to the page (302).
    page("reports:subscriptions", get=RESULTS, post=LOGIN_THEN_405),
    page(
        "reports:subscription_create",
        get=LOGIN_THEN_405,
        post=RESULTS_ACTION,
        data=lambda w: {
            "page": "unit",
            "language": "fr",
            "day": "3",
            "recipients": [str(w.personas.shop_manager.member.pk)],
        },
    ),
    page("reports:subscription_delete", get=LOGIN_THEN_405, post=RESULTS_ACTION),
    # Publishing Lille's results: the world holds no response, so an allowed publication is
    # refused with a message on the unit page it returns to (302); nothing is written.
    page(
        "reports:publish",
        get=LOGIN_THEN_405,
        post=RESULTS_ACTION,
        data=lambda w: {"period": "2026-Q1", "message": "Merci"},
    ),
    page("reports:publication_withdraw", get=LOGIN_THEN_405, post=RESULTS_ACTION),
    # What is published to a member: Lille's publication reaches Émile (a team of Lille),
    # Paul (Lille) and whoever reads Lille's results; not the sibling shop or region.
    page("reports:published", get=LOGGED_IN, post=LOGIN_THEN_405),
    page("reports:publication", get="login 200 200 404 404 200 200 200", post=LOGIN_THEN_405),
    page("operations:task_failures", get=ADMIN_ONLY, post=LOGIN_THEN_405),
    page("operations:task_failure_dismiss", get=LOGIN_THEN_405, post=ADMIN_ACTION),
    page("operations:task_failure_retry", get=LOGIN_THEN_405, post=ADMIN_ACTION),
    page(
        "privacy:search",
        get=ADMIN_ONLY,
        post=ADMIN_ONLY,
        data=lambda w: {"email": "cliente@example.com"},
    ),
    page(
        "privacy:export",
        get=LOGIN_THEN_405,
        post=ADMIN_ONLY,
        data=lambda w: {"email": "cliente@example.com"},
    ),
    page(
        "privacy:erase",
        get=LOGIN_THEN_405,
        post=ADMIN_ACTION,
        data=lambda w: {"email": "cliente@example.com", "confirm": "on"},
    ),
    page("voices:inbox", get=VOICES_MANAGERS, post=LOGIN_THEN_405),
    page(
        "voices:submit",
        get=LOGGED_IN,
        post=MEMBERS_ACT,
        data=lambda w: {
            "kind": "suggestion",
            "title": "Des plantes",
            "text": "Au rayon.",
            "notify": "app",
        },
    ),
    page("voices:mine", get=LOGGED_IN, post=LOGIN_THEN_405),
    # Émile's own voice: nobody else, not even its managers, reads it as "mine".
    page("voices:mine_detail", get="login 200 404 404 404 404 404 404", post=LOGIN_THEN_405),
    page("voices:follow", get=PUBLIC_200, post=PUBLIC_200, data=lambda w: {"code": "ABCD-EFGH"}),
    page("voices:ideas", get=LOGGED_IN, post=LOGIN_THEN_405),
    page("voices:idea", get=LOGGED_IN, post=LOGIN_THEN_405),
    page("voices:idea_support", get=LOGIN_THEN_405, post=MEMBERS_ACT),
    page(
        "voices:idea_comment",
        get=LOGIN_THEN_405,
        post=MEMBERS_ACT,
        data=lambda w: {"text": "Bonne idée"},
    ),
    page(
        "voices:idea_report",
        get=LOGIN_THEN_405,
        post=MEMBERS_ACT,
        data=lambda w: {"reason": "Hors sujet"},
    ),
    page(
        "voices:comment_report",
        get=LOGIN_THEN_405,
        post=MEMBERS_ACT,
        data=lambda w: {"reason": "Hors sujet"},
    ),
    page("voices:you_said", get=LOGGED_IN, post=LOGIN_THEN_405),
    page("voices:listening", get=VOICES_MANAGERS, post=LOGIN_THEN_405),
    page("voices:moderation", get=VOICES_MANAGERS, post=LOGIN_THEN_405),
    page("voices:report_dismiss", get=LOGIN_THEN_405, post="login 403 403 404 404 302 302 302"),
    page(
        "voices:complaint",
        get=PUBLIC_200,
        post=PUBLIC_200,
        data=lambda w: {"text": "Trop d'attente en caisse."},
    ),
    page(
        "voices:complaint_confirm",
        get=PUBLIC_200,
        post=PUBLIC_200,
        kwargs={"token": "complaint_token"},
    ),
    page("voices:detail", get=MANAGERS_OF_UNIT, post=LOGIN_THEN_405),
    page("voices:acknowledge", get=LOGIN_THEN_405, post=VOICE_ACTION),
    page("voices:study", get=LOGIN_THEN_405, post=VOICE_ACTION),
    page(
        "voices:answer",
        get=LOGIN_THEN_405,
        post=VOICE_ACTION,
        data=lambda w: {"outcome": "adopted", "text": "Commandée."},
    ),
    page(
        "voices:merge",
        get=LOGIN_THEN_405,
        post=VOICE_ACTION,
        data=lambda w: {"into": w["other_voice_id"]},
    ),
    page("voices:hide", get=LOGIN_THEN_405, post=VOICE_ACTION),
    page("voices:restore", get=LOGIN_THEN_405, post=VOICE_ACTION),
    page("voices:comment_hide", get=LOGIN_THEN_405, post=VOICE_ACTION),
    page("voices:comment_restore", get=LOGIN_THEN_405, post=VOICE_ACTION),
]

# API operations (columns: the web roles, with their session, then token_other token_unit).
API_PUBLIC_LISTS = "401 200 200 200 200 200 200 200 200 200"  # filtered to the caller's scope
API_OF_UNIT = "401 404 404 404 404 200 200 200 404 200"
API_MANAGERS = "401 403 403 200 200 200 200 200 200 200"
API_WRITE = "401 401 401 401 401 401 401 401 422 200"  # tokens only; Sud's cannot write to Lille
API_RESULTS = "401 403 403 404 404 200 200 200 404 200"  # managers of the unit; others 403


API_WEBHOOK_READ = "401 403 403 403 403 403 403 200 404 200"
API_WEBHOOK_WRITE = "401 401 401 401 401 401 401 401 404 200"


def _off(world: Any) -> dict[str, Any]:
    return {"active": False}


def _lens(world: Any) -> dict[str, Any]:
    return {"lens": "employee"}


API: list[Operation] = [
    api("GET /units", API_PUBLIC_LISTS),
    api("GET /units/{unit_id}", API_OF_UNIT),
    api("GET /units/{unit_id}/children", API_OF_UNIT),
    api("GET /units/{unit_id}/members", API_OF_UNIT),
    api("GET /members", API_PUBLIC_LISTS),
    api("GET /members/{member_id}", API_OF_UNIT),
    api("GET /instruments/", API_MANAGERS),
    api("GET /journeys/", API_MANAGERS),
    api("GET /instruments/{instrument_id}", API_MANAGERS),
    api("GET /waves/", API_MANAGERS),
    api("GET /waves/{wave_id}", "401 403 403 404 404 200 200 200 404 200"),
    api("POST /interactions", API_WRITE, body=_interactions),
    api("GET /results/periods", API_MANAGERS),
    api("GET /results/units/{unit_id}", API_RESULTS, query=_lens),
    api("GET /results/units/{unit_id}/segments", API_RESULTS, query=_lens),
    api("GET /results/units/{unit_id}/experience", API_RESULTS),
    api("GET /results/units/{unit_id}/perception", API_RESULTS),
    api("GET /results/units/{unit_id}/listening", API_RESULTS),
    api("GET /results/units/{unit_id}/symmetry", API_RESULTS),
    api("GET /results/units/{unit_id}/estimates", API_RESULTS),
    # The world holds no response: linkage refuses (422) to draw from no period.
    api("GET /results/units/{unit_id}/linkage", "401 403 403 404 404 422 422 422 404 422"),
    api("GET /results/units/{unit_id}/verbatims", API_RESULTS, query=_lens),
    api("GET /results/units/{unit_id}/comments", API_RESULTS, query=_lens),
    api("GET /results/units/{unit_id}/trend", API_RESULTS, query=_lens),
    api("GET /results/units/{unit_id}/barometer", API_RESULTS),
    api("GET /results/units/{unit_id}/network", API_RESULTS),
    api("GET /results/units/{unit_id}/map", API_RESULTS, query=lambda w: {"journey": "shop"}),
    api("GET /voices", API_MANAGERS),
    api(
        "GET /voices/listening",
        API_RESULTS,
        query=lambda w: {
            "unit": w.personas.lille.pk,
            "lens": "employee",
            "start": "2026-01-01",
            "end": "2026-12-31",
        },
    ),
    api("GET /voices/{voice_id}", API_RESULTS),
    api("POST /voices/complaints", API_WRITE, body=_complaints),
    # Webhooks: administrators' sessions read them all; tokens manage those of their scope.
    api("GET /webhooks/events", "401 200 200 200 200 200 200 200 200 200"),
    api("GET /webhooks", "401 403 403 403 403 403 403 200 200 200"),
    api("POST /webhooks", "401 401 401 401 401 401 401 401 422 201", body=_webhook),
    api("GET /webhooks/{webhook_id}", API_WEBHOOK_READ),
    api("PATCH /webhooks/{webhook_id}", API_WEBHOOK_WRITE, body=_off),
    api("DELETE /webhooks/{webhook_id}", API_WEBHOOK_WRITE.replace("200", "204")),
    api("GET /webhooks/{webhook_id}/deliveries", API_WEBHOOK_READ),
    api("POST /webhooks/{webhook_id}/test", API_WEBHOOK_WRITE.replace("200", "202")),
]
