"""Markup typed into any free text comes back escaped on every page that shows it.

Each case puts the payload where a person can type it, through the same page or service a
person uses, then fetches every page that shows that text as a role that sees it, and finds
the text there escaped, never as a tag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from miroir.api.services import api_token_create
from miroir.collect.models import Answer, Response
from miroir.collect.services import (
    pulse_create,
    pulse_messages_set,
    pulses_launch_due,
    wave_create,
    wave_launch,
    wave_messages_set,
)
from miroir.instruments.services import instrument_create, item_create, mirror_create
from miroir.operations.services import task_failure_record
from miroir.org.models import Unit
from miroir.org.selectors import Scope
from miroir.results.periods import period_of
from miroir.results.services import publication_publish, rollups_add
from miroir.voices.models import VoiceSource
from miroir.voices.services import (
    complaint_receive,
    voice_answer,
    voice_comment_add,
    voice_report,
    voice_submit,
)
from miroir.webhooks.models import Delivery, DeliveryStatus
from miroir.webhooks.services import subscription_create
from tests.accounts.oidc_provider import LocalProvider, ProviderServer, sign_in
from tests.security.support import client_as
from tests.security.world import World

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
]

# A case returns the pages to fetch: (role, URL) for a GET, or (role, URL, data) for a POST.
Fetch = tuple[str, str] | tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Case:
    name: str
    plant: Callable[[World, str], list[Fetch]]


def _unit_name(world: World, text: str) -> list[Fetch]:
    units = f"external_id,name,kind,parent_external_id\nU-LILLE-C,{_csv(text)},team,U-LILLE\n"
    _import(world, units=units)
    assert Unit.objects.get(external_id="U-LILLE-C").name == text
    unit = world.personas.lille_caisse.pk
    return [
        ("manager", reverse("org:unit_detail", args=[unit])),
        ("manager", reverse("org:unit_detail", args=[world.personas.lille.pk])),
        ("direction", reverse("collect:wave_create")),
    ]


def _member_name(world: World, text: str) -> list[Fetch]:
    members = (
        "external_id,first_name,last_name,job_title,unit_external_id,contract_type,"
        "partner_organisation,partner_kind,proximity\n"
        f"M-NEW,{_csv(text)},{_csv(text)},{_csv(text)},U-LILLE-C,permanent,,,\n"
        f"M-PART,Pia,Net,,U-LILLE-C,partner,{_csv(text)},contractor,regular\n"
    )
    _import(world, members=members)
    return [("manager", reverse("org:unit_detail", args=[world.personas.lille_caisse.pk]))]


def _questionnaire(world: World, text: str) -> list[Fetch]:
    admin = world.personas.admin
    instrument = instrument_create(
        actor=admin, title_fr=text, title_en=text, description_fr=text, description_en=text
    )
    mirror = mirror_create(
        instrument=instrument,
        actor=admin,
        code="miroir",
        title_fr=text,
        title_en=text,
        dimension="connexions",
    )
    item_create(
        instrument=instrument,
        actor=admin,
        code="texte",
        lens="employee",
        scale="single_choice",
        text_fr=text,
        text_en=text,
        dimension="sens",
        mirror=mirror,
        options=[{"code": "un", "fr": text, "en": text}, {"code": "deux", "fr": "2", "en": "2"}],
    )
    pk = instrument.pk
    return [
        ("direction", reverse("instruments:list")),
        ("direction", reverse("instruments:detail", args=[pk])),
        ("direction", reverse("instruments:preview", args=[pk])),
        ("direction", reverse("instruments:preview", args=[pk]) + "?lang=en"),
        ("direction", reverse("instruments:edit", args=[pk])),
        ("direction", reverse("collect:wave_create")),
    ]


def _wave_and_survey(world: World, text: str) -> list[Fetch]:
    admin = world.personas.admin
    instrument = instrument_create(actor=admin, title_fr=text, description_fr=text)
    item_create(
        instrument=instrument,
        actor=admin,
        code="texte",
        lens="employee",
        scale="agree5",
        text_fr=text,
        dimension="sens",
    )
    wave = wave_create(
        actor=admin,
        instrument=instrument,
        name=text,
        lens="employee",
        units=[world.personas.lille],
        closes_at=timezone.now() + timedelta(days=10),
        channels=["link"],
        open_links=True,
    )
    wave_launch(wave=wave, actor=admin)
    unit = world.personas.lille.pk
    return [
        ("direction", reverse("collect:wave_list")),
        ("direction", reverse("collect:wave_detail", args=[wave.pk])),
        ("manager", reverse("collect:wave_detail", args=[wave.pk])),
        ("anonymous", reverse("collect:respond_open", args=[wave.public_id, unit])),
    ]


def _pulse_and_message(world: World, text: str) -> list[Fetch]:
    # A pulse whose first wave the tick creates now, and an invitation message typed in.
    admin = world.personas.admin
    pulse = pulse_create(
        actor=admin,
        instrument=world.draft_wave.instrument,
        name=text,
        lens="employee",
        units=[world.personas.lille],
        channels=["link"],
        every_weeks=2,
        open_days=5,
        starts_on=timezone.localdate(),
        opens_at_time=time(0, 0),
    )
    pulse_messages_set(pulse=pulse, actor=admin, messages={"fr": text, "en": text})
    wave_messages_set(wave=world.draft_wave, actor=admin, messages={"fr": text})
    (wave_id,) = pulses_launch_due(now=timezone.now())
    return [
        ("direction", reverse("collect:pulse_list")),
        ("direction", reverse("collect:pulse_detail", args=[pulse.pk])),
        ("manager", reverse("collect:pulse_detail", args=[pulse.pk])),
        ("direction", reverse("collect:pulse_message", args=[pulse.pk])),
        ("direction", reverse("collect:wave_message", args=[world.draft_wave.pk])),
        ("manager", reverse("collect:wave_calendar")),
        ("direction", reverse("collect:wave_detail", args=[wave_id])),
    ]


def _token_name(world: World, text: str) -> list[Fetch]:
    token, _secret = api_token_create(name=text, scope_unit=None, actor=world.personas.admin)
    return [
        ("admin", reverse("api_tokens:list")),
        # The revocation's message names the token on the page it leads to.
        ("admin", reverse("api_tokens:revoke", args=[token.pk]), {}),
    ]


def _webhook(world: World, text: str) -> list[Fetch]:
    # The name and URL an administrator types, and what a receiver answered (its log).
    webhook, _secret = subscription_create(
        name=text,
        url=f"https://hooks.example.com/miroir?q={text}",
        events=["voice.received"],
        scope_unit=None,
        actor=world.personas.admin,
        scope=Scope(everything=True),
    )
    Delivery.objects.create(
        subscription=webhook,
        event_type="voice.received",
        body="{}",
        status=DeliveryStatus.FAILED,
        attempts=1,
        response_code=500,
        response_excerpt=text,
        error=text,
    )
    return [
        ("admin", reverse("webhooks:list")),
        ("admin", reverse("webhooks:detail", args=[webhook.pk])),
    ]


def _text_answer(world: World, text: str) -> list[Fetch]:
    # A refused submission shows the form again with what was typed in it.
    url = reverse("collect:respond", args=[world["token"]])
    return [("anonymous", url, {"q-idee": text})]


def _search_and_filters(world: World, text: str) -> list[Fetch]:
    unit = reverse("org:unit_detail", args=[world.personas.lille.pk])
    preview = reverse("instruments:preview", args=[world.instrument.pk])
    return [
        ("manager", f"{unit}?{_query(q=text)}"),
        ("admin", f"{reverse('audit:list')}?{_query(action=text)}"),
        ("direction", f"{preview}?{_query(check='1', **{'q-idee': text})}"),
    ]


def _import_report(world: World, text: str) -> list[Fetch]:
    # A refused line is named in the report with the value that was refused.
    units = f"external_id,name,kind,parent_external_id\nU-X,Nouvelle,{_csv(text)},U-LILLE\n"
    upload = SimpleUploadedFile("units.csv", units.encode(), "text/csv")
    return [("admin", reverse("org:import"), {"units_file": upload, "dry_run": "on"})]


def _voice(world: World, text: str) -> list[Fetch]:
    # Émile's suggestion, its manager's answer and a colleague's comment, all typed.
    people = world.personas
    voice = voice_submit(
        author=people.employee_member, kind="suggestion", title=text, text=text
    ).voice
    voice_answer(voice=voice, actor=people.shop_manager, outcome="adopted", text=text, effect=text)
    comment = voice_comment_add(voice=voice, member=people.partner_member, text=text)
    voice_report(voice=voice, reporter=people.employee_member, reason=text, comment=comment)
    return [
        ("manager", reverse("voices:inbox")),
        ("manager", reverse("voices:detail", args=[voice.pk])),
        ("manager", reverse("voices:moderation")),
        ("employee", reverse("voices:mine")),
        ("employee", reverse("voices:mine_detail", args=[voice.pk])),
        ("partner", reverse("voices:ideas")),
        ("partner", reverse("voices:idea", args=[voice.pk])),
    ]


def _complaint(world: World, text: str) -> list[Fetch]:
    voice = complaint_receive(
        unit=world.personas.lille, text=text, title=text, source=VoiceSource.WEB_FORM
    ).voice
    return [
        ("manager", reverse("voices:inbox")),
        ("manager", reverse("voices:detail", args=[voice.pk])),
    ]


def _task_failure(world: World, text: str) -> list[Fetch]:
    task_failure_record(
        task_path=text, arguments={"name": text}, attempts=3, error=text, at=timezone.now()
    )
    return [("admin", reverse("operations:task_failures"))]


def _publication_message(world: World, text: str) -> list[Fetch]:
    # An answer in Lille makes the current quarter publishable; its manager publishes it.
    people = world.personas
    response = Response.objects.create(
        wave=world.open_wave,
        unit=people.lille,
        lens="employee",
        submitted_on=timezone.localdate(),
        channel="link",
    )
    item = world.open_wave.instrument.items.get(code="ecoute")
    answer = Answer.objects.create(response=response, item=item, number=4)
    rollups_add(response=response, answers=[answer])
    period = period_of(timezone.localdate()).label
    publication = publication_publish(
        unit=people.lille, period=period, actor=people.shop_manager, message=text
    ).publication
    unit = reverse("reports:unit", args=[people.lille.pk])
    return [
        ("manager", f"{unit}?{_query(period=period)}"),
        ("employee", reverse("reports:published")),
        ("employee", reverse("reports:publication", args=[publication.pk])),
        ("partner", reverse("reports:publication", args=[publication.pk])),
    ]


def _mobile_number(world: World, text: str) -> list[Fetch]:
    # A number that is not one is shown back in the form, with the error naming the field.
    return [("anonymous", reverse("accounts:login_phone"), {"phone": text})]


CASES = [
    Case("unit name", _unit_name),
    Case("member name, job title, partner organisation", _member_name),
    Case("questionnaire, mirror, item and option texts", _questionnaire),
    Case("wave name, questionnaire seen by respondents", _wave_and_survey),
    Case("pulse name, invitation message", _pulse_and_message),
    Case("integration token name", _token_name),
    Case("webhook name, URL and receiver's answer", _webhook),
    Case("text answer shown back", _text_answer),
    Case("search and filter parameters", _search_and_filters),
    Case("import report", _import_report),
    Case("voice, its answer, a comment and a report", _voice),
    Case("customer complaint", _complaint),
    Case("failed task", _task_failure),
    Case("message of a publication to the team", _publication_message),
    Case("mobile number typed to log in", _mobile_number),
]


def _csv(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _query(**params: str) -> str:
    from django.utils.http import urlencode

    return urlencode(params)


def _import(world: World, *, units: str = "", members: str = "") -> None:
    """Import the files through the administrators' page, as a person would."""
    client = client_as(world, "admin")
    files = {}
    if units:
        files["units_file"] = SimpleUploadedFile("units.csv", units.encode(), "text/csv")
    if members:
        files["members_file"] = SimpleUploadedFile("members.csv", members.encode(), "text/csv")
    page = client.post(reverse("org:import"), files)
    assert page.status_code == 200
    assert page.context["report"].errors == []


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_typed_markup_is_shown_escaped_on_every_page(
    world, django_capture_on_commit_callbacks, case, payload
):
    with django_capture_on_commit_callbacks(execute=True):
        fetches = case.plant(world, payload)
    for fetch in fetches:
        role, url = fetch[0], fetch[1]
        client = client_as(world, role)
        response = client.post(url, fetch[2], follow=True) if len(fetch) == 3 else client.get(url)
        assert response.status_code < 500, (role, url)
        html = response.content.decode()
        assert payload not in html, f"{url} as {role} shows the markup raw"
        for tag in ("<script>alert", "<img src=x", "<svg onload"):
            assert tag not in html, f"{url} as {role} holds the tag {tag}"
        assert escape(payload) in html, f"{url} as {role} does not show the text at all"


@pytest.fixture
def sign_in_provider(settings, db):
    local = LocalProvider()
    server = ProviderServer(local)
    yield local
    server.stop()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_what_a_sign_in_provider_says_is_shown_escaped(settings, client, sign_in_provider, payload):
    # The provider's name comes from the settings; the address from the ID token's claims.
    settings.MIROIR_OIDC_PROVIDERS = {"test": sign_in_provider.settings(name=payload)}
    address = f"{payload}@example.com".lower()
    for claims in ({"email": address, "email_verified": True}, {"email": address}):
        sign_in_provider.person = claims
        pages = [sign_in(client), client.get(reverse("accounts:login"))]
        for response in pages:
            html = response.content.decode()
            for tag in ("<script>alert", "<img src=x", "<svg onload"):
                assert tag not in html
            assert escape(payload) in html
        assert escape(address) in pages[0].content.decode()
