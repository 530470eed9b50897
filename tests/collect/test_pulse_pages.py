"""Pulse pages, the audience preview, the invitation message and the calendar of waves."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.collect.messages import sms_length
from miroir.collect.models import Invitation, Pulse, PulseStatus, Wave
from miroir.collect.selectors import audience_preview, pulse_upcoming
from miroir.collect.services import pulse_create, pulses_launch_due, wave_messages_set
from miroir.org.models import ContractType, Member, Unit
from miroir.org.selectors import Scope, request_scope

PULSE_FORM = {
    "name": "Pouls mensuel",
    "lens": "employee",
    "channels": ["email", "link"],
    "reminder_days": "3",
    "language": "fr",
    "threshold_scores": 5,
    "threshold_verbatims": 10,
    "every_weeks": 4,
    "open_days": 10,
    "opens_at_time": "09:00",
}


def _scope_of(client, user) -> Scope:
    client.force_login(user)
    request = client.get(reverse("collect:wave_list")).wsgi_request
    return request_scope(request)


def _crowd(unit, count, *, phone=False, email=True, prefix="p"):
    for i in range(count):
        Member.objects.create(
            first_name=f"{prefix}{i}",
            last_name="Test",
            unit=unit,
            contract_type=ContractType.PERMANENT,
            email=f"{prefix}{i}.{unit.pk}@example.com" if email else None,
            phone="0612345678" if phone else "",
        )


# The pulse pages -------------------------------------------------------------------------


def test_direction_creates_a_pulse_from_the_form(client, personas, instrument):
    client.force_login(personas.direction)
    data = {
        **PULSE_FORM,
        "instrument": instrument.pk,
        "units": [personas.lille.pk],
        "starts_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }
    page = client.post(reverse("collect:pulse_create"), data)
    pulse = Pulse.objects.get()
    assert page.status_code == 302
    assert page["Location"] == reverse("collect:pulse_detail", args=[pulse.pk])
    assert (pulse.every_weeks, pulse.open_days, pulse.reminder_days) == (4, 10, [3])
    assert AuditEntry.objects.filter(action="pulse.create", target=f"pulse:{pulse.pk}").exists()
    detail = client.get(page["Location"]).content.decode()
    assert "Vague 1" in detail and "Vague 2" in detail


def test_a_wrong_cadence_is_named_and_nothing_is_saved(client, personas, instrument):
    client.force_login(personas.direction)
    data = {
        **PULSE_FORM,
        "instrument": instrument.pk,
        "units": [personas.lille.pk],
        "starts_on": timezone.localdate().isoformat(),
        "every_weeks": 1,
        "open_days": 9,
    }
    page = client.post(reverse("collect:pulse_create"), data)
    assert page.status_code == 200
    assert "open_days" in page.context["form"].errors
    assert not Pulse.objects.exists()


def test_a_manager_sees_the_pulse_but_cannot_change_it(client, personas, instrument):
    pulse = pulse_create(
        actor=personas.admin,
        instrument=instrument,
        name="Pouls",
        lens="employee",
        units=[personas.lille],
        channels=["link"],
        every_weeks=2,
        open_days=5,
        starts_on=timezone.localdate() + timedelta(days=2),
        opens_at_time=time(9),
    )
    client.force_login(personas.shop_manager)
    page = client.get(reverse("collect:pulse_detail", args=[pulse.pk]))
    assert page.status_code == 200
    assert page.context["preview"] is None
    assert client.post(reverse("collect:pulse_pause", args=[pulse.pk])).status_code == 403
    client.force_login(personas.sibling_manager)
    assert client.get(reverse("collect:pulse_detail", args=[pulse.pk])).status_code == 404
    pulse.refresh_from_db()
    assert pulse.status == PulseStatus.ACTIVE


def test_pause_resume_and_stop_from_the_page(client, personas, instrument):
    pulse = pulse_create(
        actor=personas.admin,
        instrument=instrument,
        name="Pouls",
        lens="employee",
        units=[personas.lille],
        channels=["link"],
        every_weeks=2,
        open_days=5,
        starts_on=timezone.localdate() + timedelta(days=2),
        opens_at_time=time(9),
    )
    client.force_login(personas.direction)
    for action, status in (("pause", "paused"), ("resume", "active"), ("stop", "stopped")):
        client.post(reverse(f"collect:pulse_{action}", args=[pulse.pk]))
        pulse.refresh_from_db()
        assert pulse.status == status
    assert pulse_upcoming(pulse, now=timezone.now()) == []


def test_the_wave_page_names_its_pulse_and_rank(client, personas, instrument):
    pulse = pulse_create(
        actor=personas.admin,
        instrument=instrument,
        name="Pouls hebdo",
        lens="employee",
        units=[personas.lille],
        channels=["link"],
        every_weeks=1,
        open_days=3,
        starts_on=timezone.localdate(),
        opens_at_time=time(0),
    )
    (wave_id,) = pulses_launch_due(now=timezone.now())
    client.force_login(personas.direction)
    html = client.get(reverse("collect:wave_detail", args=[wave_id])).content.decode()
    pulse_url = reverse("collect:pulse_detail", args=[pulse.pk])
    assert f'Vague 1 de la série <a href="{pulse_url}">Pouls hebdo</a>' in html


# The audience preview ------------------------------------------------------------------


def test_the_preview_counts_what_the_launch_sends_by_unit_and_channel(
    client, personas, make_wave, launch
):
    _crowd(personas.lille_vente, 6, prefix="v")
    _crowd(personas.lille_caisse, 5, prefix="c", email=False, phone=True)
    _crowd(personas.arras, 7, prefix="a", email=False)
    wave = make_wave(units=[personas.nord], channels=["email", "sms"])
    scope = _scope_of(client, personas.direction)
    preview = audience_preview(wave, scope)
    launched = launch(wave)
    invited = Counter(Invitation.objects.filter(wave=launched).values_list("channel", flat=True))
    channels = {c.code: c.shown for c in preview.channels}
    assert channels == {"email": invited["email"], "sms": invited["sms"], "": launched.unreachable}
    shown = {row.unit_id: row.shown_invited for row in preview.rows if not row.invited_suppressed}
    # The gate hides some (Arras, whom e-mail and SMS hardly reach); what shows is exact.
    assert {personas.nord.pk, personas.lille_vente.pk} <= set(shown)
    for row in preview.rows:
        in_subtree = Invitation.objects.filter(
            wave=launched, unit__path__startswith=Unit.objects.get(pk=row.unit_id).path
        )
        if not row.invited_suppressed:
            assert row.invited == in_subtree.count()
    assert preview.total.shown_invited == Invitation.objects.filter(wave=launched).count()


def test_the_preview_hides_small_groups_and_what_would_reveal_them(client, personas, make_wave):
    _crowd(personas.lille_vente, 8, prefix="v")
    _crowd(personas.lille_caisse, 2, prefix="c", email=False, phone=True)
    wave = make_wave(units=[personas.lille], channels=["email", "sms"])
    preview = audience_preview(wave, _scope_of(client, personas.direction))
    channels = {c.code: c for c in preview.channels}
    # Two people reached by SMS only: neither that count nor e-mail's (its complement) shows.
    assert channels["sms"].suppressed
    assert channels["email"].suppressed
    rows = {row.unit_id: row for row in preview.rows}
    assert rows[personas.lille_caisse.pk].invited_suppressed
    html = client.get(reverse("collect:wave_detail", args=[wave.pk])).content.decode()
    assert 'data-testid="audience-preview"' in html


def test_the_pulse_page_previews_its_next_wave(client, personas, instrument):
    _crowd(personas.lille_vente, 6, prefix="v")
    pulse = pulse_create(
        actor=personas.admin,
        instrument=instrument,
        name="Pouls",
        lens="employee",
        units=[personas.lille],
        channels=["email"],
        every_weeks=2,
        open_days=5,
        starts_on=timezone.localdate(),
        opens_at_time=time(0),
    )
    client.force_login(personas.direction)
    preview = client.get(reverse("collect:pulse_detail", args=[pulse.pk])).context["preview"]
    with_address = Member.objects.filter(
        unit__path__startswith=personas.lille.path, is_active=True, email__isnull=False
    ).exclude(contract_type=ContractType.PARTNER)
    assert preview.total.shown_invited == with_address.count()
    (wave_id,) = pulses_launch_due(now=timezone.now())
    assert Invitation.objects.filter(wave_id=wave_id).count() == preview.total.invited


# The invitation message ------------------------------------------------------------------


def test_the_message_is_used_by_the_email_its_reminder_and_the_sms(
    client, personas, make_wave, launch, settings, tmp_path
):
    settings.COLLECT_SMS_BACKEND = "file"
    settings.COLLECT_SMS_FILE_DIR = tmp_path
    settings.COLLECT_SMS_WINDOW = "mon-sun 00:00-23:59 +holidays"
    _crowd(personas.lille_caisse, 1, prefix="c", email=False, phone=True)
    wave = make_wave(units=[personas.lille], channels=["email", "sms"], reminder_days=[1])
    client.force_login(personas.direction)
    page = client.post(
        reverse("collect:wave_message", args=[wave.pk]),
        {"message_fr": "Trois minutes pour le magasin, merci !", "message_en": ""},
    )
    assert page.status_code == 302
    wave.refresh_from_db()
    assert wave.messages == {"fr": "Trois minutes pour le magasin, merci !"}
    mail.outbox.clear()
    wave = launch(wave)
    assert all("Trois minutes pour le magasin, merci !" in m.body for m in mail.outbox)
    assert all("Trois minutes pour le magasin" in m.alternatives[0][0] for m in mail.outbox)
    sms = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [s["text"].split(" https://")[0] for s in sms] == [
        "Trois minutes pour le magasin, merci !"
    ]
    # The reminder keeps the organisers' words, after a line saying what it is.
    from miroir.collect.sending import wave_send_reminders

    later = wave.opens_at + timedelta(days=1, hours=1)
    Invitation.objects.update(last_sent_at=later - timedelta(days=1))
    mail.outbox.clear()
    wave_send_reminders(wave=wave, now=later)
    assert mail.outbox
    assert all("Une relance" in m.body and "Trois minutes" in m.body for m in mail.outbox)
    reminders = (tmp_path / "sms.jsonl").read_text().splitlines()[1:]
    assert [
        json.loads(line)["text"].startswith("Relance\u00a0: Trois minutes") for line in reminders
    ] == [True]


def test_a_message_left_as_suggested_keeps_the_default_text(client, personas, make_wave, launch):
    wave = make_wave(units=[personas.lille_vente], channels=["email"])
    client.force_login(personas.direction)
    form = client.get(reverse("collect:wave_message", args=[wave.pk])).context["form"]
    suggested = form.fields["message_fr"].initial
    assert "Pulse de test" in suggested
    client.post(
        reverse("collect:wave_message", args=[wave.pk]),
        {"message_fr": suggested, "message_en": form.fields["message_en"].initial},
    )
    wave.refresh_from_db()
    assert wave.messages == {}
    mail.outbox.clear()
    launch(wave)
    assert "Pulse de test" in mail.outbox[0].body


def test_the_message_page_previews_email_and_sms_with_its_length(client, personas, make_wave):
    wave = make_wave(units=[personas.lille_vente], channels=["email", "sms"])
    wave_messages_set(wave=wave, actor=personas.admin, messages={"en": "Tell us, it is quick."})
    client.force_login(personas.direction)
    page = client.get(reverse("collect:wave_message", args=[wave.pk]))
    previews = {p.language: p for p in page.context["previews"]}
    assert previews["en"].sms.startswith("Tell us, it is quick. https://miroir.example/r/")
    assert "Tell us, it is quick." in previews["en"].body
    assert "Pulse de test" in previews["fr"].body
    assert 'data-testid="sms-length"' in page.content.decode()


def test_a_launched_wave_message_cannot_change(client, personas, make_wave, launch):
    wave = launch(make_wave(units=[personas.lille_vente]))
    client.force_login(personas.direction)
    page = client.post(reverse("collect:wave_message", args=[wave.pk]), {"message_fr": "Autre"})
    assert page.status_code == 302
    wave.refresh_from_db()
    assert wave.messages == {}


def test_a_message_too_long_is_refused_by_name(client, personas, make_wave):
    wave = make_wave(units=[personas.lille_vente])
    client.force_login(personas.direction)
    page = client.post(reverse("collect:wave_message", args=[wave.pk]), {"message_fr": "x" * 1001})
    assert page.status_code == 200
    assert "message_fr" in page.context["form"].errors


@pytest.mark.parametrize(
    ("text", "segments", "unicode"),
    [
        ("a" * 160, 1, False),
        ("a" * 161, 2, False),
        ("é" * 160, 1, False),
        ("ê" * 70, 1, True),
        ("ê" * 71, 2, True),
        ("€" * 80, 1, False),
        ("€" * 81, 2, False),
    ],
)
def test_sms_length_counts_segments_like_the_operators(text, segments, unicode):
    size = sms_length(text)
    assert (size.segments, size.unicode) == (segments, unicode)


# The calendar ------------------------------------------------------------------------------


def test_the_calendar_lists_waves_and_the_pulses_future_waves_by_month(
    client, personas, make_wave, launch, instrument
):
    today = timezone.localdate()
    launch(make_wave(name="Vague ouverte", units=[personas.lille]))
    pulse = pulse_create(
        actor=personas.admin,
        instrument=instrument,
        name="Pouls",
        lens="employee",
        units=[personas.lille],
        channels=["link"],
        every_weeks=4,
        open_days=7,
        starts_on=today + timedelta(days=3),
        opens_at_time=time(9),
    )
    client.force_login(personas.shop_manager)
    page = client.get(reverse("collect:wave_calendar"))
    assert page.status_code == 200
    entries = [entry for month in page.context["months"] for entry in month.entries]
    names = [entry.name for entry in entries]
    assert "Vague ouverte" in names
    planned = [entry for entry in entries if entry.status == "planned"]
    assert planned[0].opens_on == today + timedelta(days=3)
    assert [e.opens_on - planned[0].opens_on for e in planned[:3]] == [
        timedelta(weeks=0),
        timedelta(weeks=4),
        timedelta(weeks=8),
    ]
    assert all(entry.pulse == pulse for entry in planned)
    # Another region's manager sees none of Lille's.
    client.force_login(personas.other_region_manager)
    months = client.get(reverse("collect:wave_calendar")).context["months"]
    assert not [entry for month in months for entry in month.entries]


def test_the_calendar_moves_by_months_and_shrugs_off_a_bad_month(client, personas):
    client.force_login(personas.direction)
    page = client.get(reverse("collect:wave_calendar"), {"from": "2027-03"})
    assert page.context["months"][0].first_day == date(2027, 3, 1)
    assert len(page.context["months"]) == 12
    bad = client.get(reverse("collect:wave_calendar"), {"from": "<script>"})
    assert bad.status_code == 200
    assert client.get(reverse("collect:wave_calendar"), {"from": "2027-13"}).status_code == 200


def test_employees_have_no_calendar(client, personas):
    client.force_login(personas.employee)
    assert client.get(reverse("collect:wave_calendar")).status_code == 403
    assert not Wave.objects.exists()
