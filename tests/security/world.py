"""Everything a route of the matrix needs as arguments, built once per test over the personas.

A route's URL arguments are looked up here by name (``unit_id``, ``wave_id``…); a route that
needs another value of the same kind names it in its declaration (``kwargs={"wave_id":
"open_wave_id"}``). Add a value here when a new route needs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.test import TestCase
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from miroir.accounts.models import LoginSession
from miroir.accounts.signin_services import sign_in_link_issue
from miroir.api.services import api_token_create
from miroir.collect.channels.posters.drawing import wave_short_code
from miroir.collect.models import Invitation, Wave
from miroir.collect.sending import invitation_token_issue
from miroir.collect.services import kiosk_issue, pulse_create, wave_create, wave_launch
from miroir.collect.tokens import contact_hash, unsubscribe_sign
from miroir.instruments.catalogs import catalog_names
from miroir.instruments.models import Instrument, Item
from miroir.instruments.services import instrument_create, item_create
from miroir.journeys.models import Moment
from miroir.journeys.services import (
    journey_template_load,
    map_wave_close,
    map_wave_create,
    map_wave_open,
)
from miroir.operations.services import task_failure_record
from miroir.org.models import Member
from miroir.org.selectors import Scope
from miroir.reports.models import ReportSubscription
from miroir.results.models import Publication
from miroir.results.periods import period_of
from miroir.voices.services import (
    complaint_receive,
    contact_confirm_token,
    voice_comment_add,
    voice_report,
    voice_submit,
)
from miroir.voices.tablets import tablet_issue
from miroir.webhooks.services import subscription_create
from tests.accounts.support import phone_member
from tests.personas import Personas


@dataclass
class World:
    """The personas, plus the objects and URL arguments the matrix's routes are called with."""

    personas: Personas
    instrument: Instrument
    item: Item
    draft_wave: Wave
    open_wave: Wave
    token_other: str  # an integration token of Sud, a region away from Lille
    token_unit: str  # an integration token of Lille, the unit every route is about
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise KeyError(f"tests/security/world.py has no value named {key!r}") from None


def build_instrument(actor: Any, *, title: str = "Pulse matrice") -> tuple[Instrument, Item]:
    """Return a small employee questionnaire (a scored item and a free text) and its first item."""
    instrument = instrument_create(actor=actor, title_fr=title, title_en=title)
    item = item_create(
        instrument=instrument,
        actor=actor,
        code="ecoute",
        lens="employee",
        scale="agree5",
        text_fr="Mon responsable m'écoute.",
        text_en="My manager listens to me.",
        dimension="connexions",
    )
    item_create(
        instrument=instrument,
        actor=actor,
        code="idee",
        lens="employee",
        scale="free_text",
        text_fr="Une idée ?",
        text_en="An idea?",
        dimension="sens",
        required=False,
        max_length=500,
    )
    return instrument, item


def build_world(personas: Personas) -> World:
    """Return the world: a questionnaire, a draft and an open wave over Lille, tokens, links."""
    admin = personas.admin
    # The editor's routes get a questionnaire no wave uses: a launched wave locks its own.
    instrument, item = build_instrument(admin)
    wave_instrument, _item = build_instrument(admin, title="Pulse des vagues")
    closes = timezone.now() + timedelta(days=30)
    draft_wave = wave_create(
        actor=admin,
        instrument=wave_instrument,
        name="Vague brouillon",
        lens="employee",
        units=[personas.lille],
        closes_at=closes,
        channels=["email", "link"],
    )
    open_wave = wave_create(
        actor=admin,
        instrument=wave_instrument,
        name="Vague ouverte",
        lens="employee",
        units=[personas.lille],
        closes_at=closes,
        channels=["email", "link", "kiosk"],
        open_links=True,
    )
    # The launch sends its invitations on commit; run that now, inside the test's transaction.
    with TestCase.captureOnCommitCallbacks(execute=True):
        wave_launch(wave=open_wave, actor=admin)
    open_wave.refresh_from_db()
    invitation = Invitation.objects.filter(wave=open_wave).order_by("pk").first()
    assert invitation is not None, "the open wave invited nobody"
    revocable, _secret = api_token_create(
        name="Caisse Lille", scope_unit=personas.lille, actor=admin
    )
    _other, token_other = api_token_create(name="CRM Sud", scope_unit=personas.sud, actor=admin)
    _unit, token_unit = api_token_create(name="CRM Lille", scope_unit=personas.lille, actor=admin)
    moment = Moment.objects.order_by("pk").first()
    # Olivier plays no role: a login would change his last login, which voids his reset link.
    user = personas.outsider
    # Émile's suggestion (a team of Lille), on the colleagues' board, with a comment reported.
    voice = voice_submit(
        author=personas.employee_member,
        kind="suggestion",
        title="Plus de café",
        text="Une machine à café en salle de pause.",
    ).voice
    other_voice = voice_submit(
        author=personas.employee_member,
        kind="testimonial",
        title="Merci Sophie",
        text="Sophie nous a aidés pendant les soldes.",
    ).voice
    comment = voice_comment_add(voice=voice, member=personas.partner_member, text="Oui !")
    # A customer's complaint from the public form, whose address awaits its confirmation.
    contact = {"source": "web_form", "contact_email": "client@example.com"}
    complaint = complaint_receive(unit=personas.lille, text="Personne en caisse.", **contact).voice
    report = voice_report(voice=voice, reporter=personas.partner_member, reason="spam")
    failure = task_failure_record(
        task_path="miroir.collect.tasks.invitations_send",
        arguments={"wave_id": open_wave.pk},
        attempts=5,
        error="SMTPServerDisconnected",
        at=timezone.now(),
    )
    # Lille's results of the previous quarter, published by its manager (the world holds no
    # response: the row is written as it is, the service would refuse an empty period).
    publication = Publication.objects.create(
        unit=personas.lille,
        period=period_of(timezone.localdate()).previous().label,
        message="Merci à tous",
        published_at=timezone.now(),
        published_by=personas.shop_manager,
    )
    # Lille's monthly PDF report, to its manager.
    subscription = ReportSubscription.objects.create(unit=personas.lille, created_at=timezone.now())
    subscription.recipients.set(Member.objects.filter(user=personas.shop_manager))
    kiosk, kiosk_key = kiosk_issue(wave=open_wave, unit=personas.lille, actor=admin)
    # A pulse over Lille, every four weeks from next month (the tick has created nothing yet).
    pulse = pulse_create(
        actor=admin,
        instrument=wave_instrument,
        name="Pouls de Lille",
        lens="employee",
        units=[personas.lille],
        channels=["email", "link"],
        every_weeks=4,
        open_days=10,
        starts_on=timezone.localdate() + timedelta(days=30),
        opens_at_time=time(9),
    )
    # A webhook of Lille's ticketing system (never called: the world runs no task).
    webhook, _secret = subscription_create(
        name="Ticketing Lille",
        url="https://hooks.example.com/miroir",
        events=["voice.received", "complaint.received"],
        scope_unit=personas.lille,
        actor=admin,
        scope=Scope(everything=True),
    )
    # Fatou, of Lille, has no e-mail address: she signs in with her mobile number, or with a
    # link her manager handed out; she keeps her phone signed in.
    fatou = phone_member(personas.lille)
    link, link_token = sign_in_link_issue(member=fatou, actor=personas.shop_manager)
    tablet, tablet_key = tablet_issue(unit=personas.lille, actor=personas.shop_manager)
    kept = LoginSession.objects.create(
        user=fatou.user,
        session_key="fatou-phone-session",
        method="sms",
        remembered_until=timezone.now() + timedelta(days=30),
    )
    # A map wave over Lille, closed (its maps published), and another open to answer.
    # Loaded, not looked up: a browser test's flush empties the tables migrations filled.
    shop_journey = journey_template_load(code="shop")
    closed_map = map_wave_create(
        name="Carte close", journey=shop_journey, unit=personas.lille, closes_at=closes, actor=admin
    )
    map_wave_open(wave=closed_map, actor=admin)
    [map_publication] = map_wave_close(wave=closed_map, actor=admin)
    open_map = map_wave_create(
        name="Carte ouverte",
        journey=shop_journey,
        unit=personas.lille,
        closes_at=closes,
        actor=admin,
    )
    map_wave_open(wave=open_map, actor=admin)
    world = World(
        personas=personas,
        instrument=instrument,
        item=item,
        draft_wave=draft_wave,
        open_wave=open_wave,
        token_other=token_other,
        token_unit=token_unit,
    )
    world.values = {
        "unit_id": personas.lille.pk,
        "journey_id": journey_template_load(code="employee").pk,
        "journey_moment_id": Moment.objects.get(code="first_day").pk,
        "template_code": "shop",
        "wave_id_map": closed_map.pk,
        "map_public_id": open_map.public_id,
        "map_publication_id": map_publication.pk,
        "moment_code": "checkout",
        "member_id": personas.employee_member.pk,
        "instrument_id": instrument.pk,
        "item_id": item.pk,
        "wave_id": draft_wave.pk,
        "open_wave_id": open_wave.pk,
        "pulse_id": pulse.pk,
        "public_id": open_wave.public_id,
        "token_id": revocable.pk,
        "token": invitation_token_issue(invitation=invitation),
        "signed": unsubscribe_sign(contact_hash(email="cliente@example.com")),
        "code": wave_short_code(open_wave.public_id),
        "moment": moment.code if moment else "accueil",
        "name": catalog_names()[0],
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "reset_token": default_token_generator.make_token(user),
        "complaint_token": contact_confirm_token(complaint),
        "voice_id": voice.pk,
        "other_voice_id": other_voice.pk,
        "comment_id": comment.pk,
        "report_id": report.pk,
        "failure_id": failure.pk,
        "publication_id": publication.pk,
        "subscription_id": subscription.pk,
        "user_id": personas.employee.pk,
        "page": "network",
        "key": "index",
        "fmt": "csv",
        "kiosk_key": kiosk_key,
        "kiosk_id": kiosk.pk,
        # The sign-in provider conftest.py configures (a local OpenID provider).
        "provider_key": "keycloak",
        "webhook_id": webhook.pk,
        "phone_member_id": fatou.pk,
        "sign_in_token": link_token,
        "link_id": link.pk,
        "session_id": kept.pk,
        "tablet_id": tablet.pk,
        "tablet_key": tablet_key,
    }
    return world
