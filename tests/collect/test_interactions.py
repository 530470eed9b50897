"""Hot waves: how interactions become invitations (delay, period, consent, opt-out, window)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from miroir.collect.channels.sms.backends import FileBackend
from miroir.collect.interactions import interactions_check, interactions_record
from miroir.collect.models import (
    ContactInvited,
    Interaction,
    InteractionOutcome,
    Invitation,
    InvitationStatus,
    Response,
)
from miroir.collect.sending import invitations_send_pending
from miroir.collect.services import contact_opt_out_address
from miroir.org.selectors import scope_for_unit

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 8 December 2026, 10:00 in Paris: an ordinary working morning.
TUESDAY = datetime(2026, 12, 8, 10, 0, tzinfo=PARIS)
PHONE = "06 12 34 56 78"
E164 = "+33612345678"


@pytest.fixture
def hot_wave(make_wave, launch, personas):
    return launch(
        make_wave(
            name="Après passage en caisse",
            lens="customer",
            kind="hot",
            channels=["sms", "email"],
            reminder_days=[],
            attributes=["moment"],
            closes_at=TUESDAY + timedelta(days=60),
            hot_delay_minutes=120,
            hot_valid_days=7,
            hot_moments=["checkout", "delivery"],
        )
    )


@pytest.fixture(autouse=True)
def _sms_to_file(settings, tmp_path):
    settings.COLLECT_SMS_BACKEND = "file"
    settings.COLLECT_SMS_FILE_DIR = tmp_path / "sms"
    settings.COLLECT_HOT_CONTACT_PERIOD_DAYS = 30


def row(external_id="T-1", *, unit="U-LILLE", at=TUESDAY, **extra):
    values = {
        "external_id": external_id,
        "unit": unit,
        "moment": "checkout",
        "occurred_at": at.isoformat(),
        "phone": PHONE,
        "consent": True,
    }
    values.update(extra)
    return {name: value for name, value in values.items() if value is not None}


def record(rows, *, now, source="till"):
    checked, problems = interactions_check(rows, now=now)
    assert problems == []
    return interactions_record(checked, source=source, now=now)


def test_an_interaction_invites_by_sms_after_the_wave_delay(hot_wave, personas):
    report = record([row()], now=TUESDAY + timedelta(minutes=5))

    [result] = report.results
    assert result.outcome == InteractionOutcome.SCHEDULED
    assert result.channel == "sms"
    assert result.send_at == TUESDAY + timedelta(hours=2)
    invitation = Invitation.objects.get()
    assert (invitation.wave, invitation.unit) == (hot_wave, personas.lille)
    assert invitation.phone == E164
    assert invitation.email is None
    assert invitation.moment == "checkout"
    assert invitation.not_before == TUESDAY + timedelta(hours=2)
    assert invitation.expires_at == TUESDAY + timedelta(days=7)
    interaction = Interaction.objects.get()
    assert interaction.invitation == invitation
    assert interaction.outcome == InteractionOutcome.SCHEDULED


def test_the_interaction_keeps_no_contact_details(hot_wave):
    record([row(email="client@example.com")], now=TUESDAY)
    names = {field.name for field in Interaction._meta.get_fields()}
    assert not names & {"phone", "email", "contact"}
    stored = ContactInvited.objects.values_list("contact_hash", flat=True)
    assert all(E164 not in digest and "0612" not in digest for digest in stored)
    assert len(stored) == 2  # the phone and the e-mail address, each as a keyed digest


def test_nothing_leaves_before_the_delay_and_the_sms_leaves_after_it(hot_wave, settings):
    record([row()], now=TUESDAY)
    assert invitations_send_pending(wave=hot_wave, now=TUESDAY + timedelta(hours=1)).sent == 0
    report = invitations_send_pending(wave=hot_wave, now=TUESDAY + timedelta(hours=2, minutes=1))
    assert report.sent == 1
    [message] = FileBackend(settings.COLLECT_SMS_FILE_DIR).messages()
    assert message["to"] == E164
    assert "https://miroir.example/r/" in message["text"]
    assert "STOP" in message["text"]
    assert Invitation.objects.get().status == InvitationStatus.SENT


def test_the_answer_keeps_the_moment_of_the_interaction(hot_wave, settings, client):
    record([row(moment="delivery")], now=TUESDAY)
    invitations_send_pending(wave=hot_wave, now=TUESDAY + timedelta(hours=3))
    [message] = FileBackend(settings.COLLECT_SMS_FILE_DIR).messages()
    url = message["text"].split("https://miroir.example", 1)[1].split()[0]
    page = client.get(url)
    assert page.status_code == 200
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', page.content.decode())[1]
    fields = {"submission_id": submission_id, "q-nps-customer": "9", "q-ecoute-customer": "5"}
    answered = client.post(url, fields)
    assert answered.status_code == 302, answered.content[:500]
    assert Response.objects.get().attributes == {"moment": "delivery"}


def test_one_invitation_per_contact_per_period_across_units_and_number_formats(hot_wave):
    first = record([row("T-1")], now=TUESDAY)
    later = TUESDAY + timedelta(days=2)
    second = record([row("T-2", unit="U-MARS", at=later, phone=E164)], now=later)
    much_later = TUESDAY + timedelta(days=31)
    third = record(
        [row("T-3", unit="U-ARRAS", at=much_later, phone="+33 6 12 34 56 78")], now=much_later
    )

    assert first.results[0].outcome == InteractionOutcome.SCHEDULED
    assert second.results[0].outcome == InteractionOutcome.RECENTLY_INVITED
    assert third.results[0].outcome == InteractionOutcome.SCHEDULED
    assert Invitation.objects.count() == 2


def test_the_same_contact_twice_in_one_batch_is_invited_once(hot_wave):
    report = record([row("T-1"), row("T-2", unit="U-ARRAS")], now=TUESDAY)
    assert [r.outcome for r in report.results] == [
        InteractionOutcome.SCHEDULED,
        InteractionOutcome.RECENTLY_INVITED,
    ]


def test_the_contact_period_is_configurable(hot_wave, settings):
    settings.COLLECT_HOT_CONTACT_PERIOD_DAYS = 3
    record([row("T-1")], now=TUESDAY)
    later = TUESDAY + timedelta(days=4)
    report = record([row("T-2", at=later)], now=later)
    assert report.results[0].outcome == InteractionOutcome.SCHEDULED


def test_without_consent_there_is_no_invitation(hot_wave):
    report = record([row(consent=False)], now=TUESDAY)
    assert report.results[0].outcome == InteractionOutcome.NO_CONSENT
    assert not Invitation.objects.exists()
    assert not ContactInvited.objects.exists()


def test_an_opted_out_number_is_never_invited_again(hot_wave):
    contact_opt_out_address(phone="+33612345678")
    report = record([row(phone="06.12.34.56.78", email="client@example.com")], now=TUESDAY)
    assert report.results[0].outcome == InteractionOutcome.OPTED_OUT
    assert not Invitation.objects.exists()


def test_a_moment_the_wave_does_not_list_invites_nobody(hot_wave):
    report = record([row(moment="advice")], now=TUESDAY)
    assert report.results[0].outcome == InteractionOutcome.NO_WAVE


def test_without_an_address_the_wave_can_use_there_is_no_invitation(hot_wave):
    report = record([row(phone=None)], now=TUESDAY)
    assert report.results[0].outcome == InteractionOutcome.NO_CONTACT


def test_an_e_mail_only_contact_is_invited_by_e_mail_even_at_night(hot_wave):
    night = datetime(2026, 12, 8, 22, 0, tzinfo=PARIS)
    report = record([row(phone=None, email="Client@Example.com", at=night)], now=night)
    [result] = report.results
    assert (result.outcome, result.channel) == (InteractionOutcome.SCHEDULED, "email")
    assert result.send_at == night + timedelta(hours=2)
    assert Invitation.objects.get().email == "client@example.com"


@pytest.mark.parametrize(
    ("occurred", "expected"),
    [
        # Due at 21:30 on a Tuesday: the next morning at ten.
        (datetime(2026, 12, 8, 19, 30), datetime(2026, 12, 9, 10, 0)),
        # Due at 21:00 on a Saturday: no Sunday, so Monday at ten.
        (datetime(2026, 12, 12, 19, 0), datetime(2026, 12, 14, 10, 0)),
        # An interaction on a Sunday (a shop open on Sundays): Monday at ten.
        (datetime(2026, 12, 13, 11, 0), datetime(2026, 12, 14, 10, 0)),
        # Due at 21:00 on Christmas Eve: not Christmas, the 26th (a Saturday) at ten.
        (datetime(2026, 12, 24, 19, 0), datetime(2026, 12, 26, 10, 0)),
        # Due at 8:30: waits for ten the same day.
        (datetime(2026, 12, 9, 6, 30), datetime(2026, 12, 9, 10, 0)),
    ],
)
def test_an_sms_due_outside_the_window_is_deferred_not_dropped(hot_wave, occurred, expected):
    occurred = occurred.replace(tzinfo=PARIS)
    report = record([row(at=occurred)], now=occurred)
    assert report.results[0].outcome == InteractionOutcome.SCHEDULED
    assert report.results[0].send_at == expected.replace(tzinfo=PARIS)
    assert Invitation.objects.get().not_before == expected.replace(tzinfo=PARIS)


def test_the_window_follows_the_unit_time_zone(hot_wave, personas):
    personas.marseille.timezone = "America/Martinique"
    personas.marseille.save()
    # 19:30 in Paris is 14:30 in Martinique: due at 16:30 there, inside the window.
    occurred = datetime(2026, 12, 8, 19, 30, tzinfo=PARIS)
    report = record([row(unit="U-MARS", at=occurred)], now=occurred)
    assert report.results[0].send_at == occurred + timedelta(hours=2)


def test_an_interaction_whose_invitation_would_expire_first_is_too_late(hot_wave):
    old = TUESDAY - timedelta(days=8)
    report = record([row(at=old)], now=TUESDAY)
    assert report.results[0].outcome == InteractionOutcome.TOO_LATE
    assert not Invitation.objects.exists()


def test_an_expired_pending_invitation_is_not_sent(hot_wave, settings):
    record([row()], now=TUESDAY)
    after_expiry = TUESDAY + timedelta(days=7, minutes=1)
    assert invitations_send_pending(wave=hot_wave, now=after_expiry).sent == 0
    assert FileBackend(settings.COLLECT_SMS_FILE_DIR).messages() == []


def test_a_re_sent_interaction_changes_nothing(hot_wave):
    record([row("T-1")], now=TUESDAY)
    again = record([row("T-1")], now=TUESDAY + timedelta(minutes=1))
    assert again.results[0].outcome == "duplicate"
    assert Interaction.objects.count() == 1
    assert Invitation.objects.count() == 1


def test_the_same_id_from_another_source_is_another_interaction(hot_wave):
    record([row("T-1", consent=False)], now=TUESDAY, source="till")
    record([row("T-1", consent=False)], now=TUESDAY, source="crm")
    assert Interaction.objects.count() == 2


def test_the_narrowest_wave_wins(hot_wave, make_wave, launch, personas):
    lille_wave = launch(
        make_wave(
            name="Lille seulement",
            lens="customer",
            kind="hot",
            channels=["sms"],
            reminder_days=[],
            units=[personas.lille],
            closes_at=TUESDAY + timedelta(days=60),
        )
    )
    report = record([row("T-1"), row("T-2", unit="U-ARRAS", phone="0698765432")], now=TUESDAY)
    assert [r.wave_id for r in report.results] == [lille_wave.pk, hot_wave.pk]


def test_each_problem_is_named_by_row_and_field(personas):
    rows = [
        row("T-1"),
        row("", unit="NOWHERE", phone="12", consent="maybe", moment="nope"),
        row("T-3", at=TUESDAY, email="not-an-address", language="de"),
        {**row("T-4"), "occurred_at": "yesterday", "colour": "red"},
        row("T-1"),
    ]
    checked, problems = interactions_check(rows, now=TUESDAY)
    assert [item.external_id for item in checked] == ["T-1"]
    found = {(p.index, p.field) for p in problems}
    assert found == {
        (1, "external_id"),
        (1, "unit"),
        (1, "phone"),
        (1, "consent"),
        (1, "moment"),
        (2, "email"),
        (2, "language"),
        (3, "occurred_at"),
        (3, "colour"),
        (4, "external_id"),
    }


def test_an_interaction_in_the_future_is_refused(personas):
    _checked, problems = interactions_check([row(at=TUESDAY + timedelta(hours=1))], now=TUESDAY)
    assert [(p.field, p.index) for p in problems] == [("occurred_at", 0)]


def test_a_naive_time_is_read_in_the_unit_time_zone(personas):
    [item], _problems = interactions_check(
        [{**row(), "occurred_at": "2026-12-08T10:00:00"}], now=TUESDAY + timedelta(hours=1)
    )
    assert item.occurred_at == TUESDAY


def test_a_unit_outside_the_scope_reads_as_unknown(personas):
    scope = scope_for_unit(personas.nord)
    _checked, problems = interactions_check([row(unit="U-MARS")], now=TUESDAY, scope=scope)
    _checked, nowhere = interactions_check([row(unit="U-MARS-2")], now=TUESDAY, scope=scope)
    assert [p.field for p in problems] == ["unit"]
    # Exactly what a unit that does not exist gets, but for its name.
    assert problems[0].message == nowhere[0].message.replace("U-MARS-2", "U-MARS")


def test_a_hot_wave_names_its_wrong_settings(make_wave):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as failure:
        make_wave(lens="customer", kind="hot", hot_moments=["nope"], hot_valid_days=0)
    assert set(failure.value.message_dict) == {"hot_moments", "hot_valid_days"}
