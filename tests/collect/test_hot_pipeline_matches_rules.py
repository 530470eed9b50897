"""The set-wise hot pipeline decides exactly what the rules applied one by one decide.

Generated files mix repeat customers (also sharing one address with another customer),
STOP-ped contacts, missing consent, moments the waves ignore, unknown moments and units,
nights, Sundays and a public holiday, a unit in another time zone and two waves (the
network's and a shop's own). Each file goes through ``interactions_import`` and, before
it, through the oracle (``hot_oracle.py``); several files follow each other so that each
one meets what the previous ones left.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from miroir.collect import interaction_rules
from miroir.collect.interactions import (
    FIELDS,
    interactions_check,
    interactions_import,
    interactions_record,
)
from miroir.collect.models import ContactInvited, ContactOptOut, Interaction, Invitation
from miroir.collect.tokens import contact_hash
from miroir.org.models import Unit
from tests.collect.hot_oracle import Expected, rules_one_by_one

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 8 December 2026, 10:00 in Paris.
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=PARIS)
UNITS = ["U-LILLE", "U-LILLE-V", "U-ARRAS", "U-MARS", "U-NORD"]


@pytest.fixture(autouse=True)
def _period(settings, tmp_path):
    settings.COLLECT_HOT_CONTACT_PERIOD_DAYS = 30
    settings.COLLECT_SMS_BACKEND = "file"
    settings.COLLECT_SMS_FILE_DIR = tmp_path / "sms"


@pytest.fixture
def waves(make_wave, launch, personas):
    """Return the network's wave (Nord, SMS then e-mail) and Lille's own (deliveries, e-mail)."""
    # Arras sells overseas too: its customers' quiet hours are Réunion's.
    Unit.objects.filter(external_id="U-ARRAS").update(timezone="Indian/Reunion")
    network = launch(
        make_wave(
            name="Après passage",
            lens="customer",
            kind="hot",
            units=[personas.nord],
            channels=["sms", "email"],
            reminder_days=[],
            closes_at=NOW + timedelta(days=20),
            hot_delay_minutes=90,
            hot_valid_days=3,
            hot_moments=["checkout", "delivery"],
        )
    )
    lille = launch(
        make_wave(
            name="Livraisons Lille",
            lens="customer",
            kind="hot",
            units=[personas.lille],
            channels=["email"],
            reminder_days=[],
            closes_at=NOW + timedelta(days=20),
            hot_delay_minutes=24 * 60,
            hot_valid_days=2,
            hot_moments=["delivery"],
        )
    )
    return network, lille


def _customers(rng: random.Random, count: int) -> list[tuple[str, str]]:
    customers = []
    for number in range(count):
        phone = f"06 {number // 100:02d} {number % 100:02d} 12 34" if number % 4 else ""
        email = f"Client{number}@example.com" if number % 3 == 0 else ""
        customers.append((phone, email))
    return customers


def _rows(rng: random.Random, start: int, count: int, customers: list) -> list[dict[str, str]]:
    rows = []
    for number in range(start, start + count):
        phone, email = rng.choice(customers)
        if rng.random() < 0.15:
            # One address of another customer: chains of shared addresses.
            email = rng.choice(customers)[1]
        minutes = rng.randrange(-12 * 24 * 60, 4)
        occurred = NOW + timedelta(minutes=minutes)
        if rng.random() < 0.05:
            occurred = datetime(2026, 11, 11, 21, 30, tzinfo=PARIS)  # Armistice, at night
        stamp = (
            occurred.astimezone(ZoneInfo("UTC")).isoformat()
            if rng.random() < 0.5
            else occurred.replace(tzinfo=None).isoformat(timespec="minutes")
        )
        row = {
            "external_id": f"T-{number}",
            "unit": rng.choice(UNITS),
            "moment": rng.choice(["checkout", "checkout", "delivery", "delivery", "advice", ""]),
            "occurred_at": stamp,
            "phone": phone,
            "email": email,
            "consent": rng.choice(["1", "1", "1", "oui", "0", "non"]),
            "language": rng.choice(["", "fr", "en"]),
        }
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, str]]) -> io.BytesIO:
    lines = [";".join(FIELDS)]
    lines += [";".join(row[name] for name in FIELDS) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def _compare(expected: dict[str, Expected], source: str) -> None:
    stored = {
        interaction.external_id: interaction
        for interaction in Interaction.objects.filter(
            source=source, external_id__in=expected
        ).select_related("invitation")
    }
    for external_id, want in expected.items():
        if want.outcome == "duplicate":
            continue
        got = stored[external_id]
        assert (external_id, got.outcome, got.wave_id) == (external_id, want.outcome, want.wave_id)
        invitation = got.invitation
        if want.channel is None:
            assert invitation is None, external_id
            continue
        assert (
            invitation.channel,
            invitation.not_before,
            invitation.expires_at,
            invitation.email,
            invitation.phone,
            invitation.companion_hash,
            invitation.wave_id,
            invitation.unit_id,
        ) == (
            want.channel,
            want.send_at,
            want.expires_at,
            want.email,
            want.phone,
            want.companion_hash,
            want.wave_id,
            got.unit_id,
        ), external_id


def _import_and_compare(rows, *, source: str, now: datetime) -> dict[str, int]:
    checked, problems = interactions_check(rows, now=now)
    expected = rules_one_by_one(checked, source=source, now=now)
    report = interactions_import(_csv(rows), source=source, skip_invalid=True, now=now)
    assert report.written
    assert [(p.index, p.field) for p in report.problems] == [(p.index, p.field) for p in problems]
    outcomes: dict[str, int] = {}
    for want in expected.values():
        outcomes[want.outcome] = outcomes.get(want.outcome, 0) + 1
    assert dict(report.counts) == outcomes
    _compare(expected, source)
    # No claim is left behind for a contact nobody invited.
    assert not ContactInvited.objects.filter(invited_at=interaction_rules.CLAIM_EPOCH).exists()
    return outcomes


def _history(customers: list[tuple[str, str]]) -> None:
    """STOP a few contacts; a few were invited recently, a few long ago."""
    for phone, _email in customers[5:60:11]:
        if phone:
            ContactOptOut.objects.create(contact_hash=contact_hash(phone=phone))
    for _phone, email in customers[7:60:13]:
        if email:
            ContactOptOut.objects.create(contact_hash=contact_hash(email=email))
    for index, (phone, email) in enumerate(customers[1:80:6]):
        digest = contact_hash(phone=phone) or contact_hash(email=email)
        when = NOW - timedelta(days=3 if index % 2 else 45)
        ContactInvited.objects.get_or_create(contact_hash=digest, defaults={"invited_at": when})


@pytest.mark.parametrize(
    ("seed", "claim_limit", "rounds"),
    [(1, 1000, 8), (2, 10, 8), (3, 10, 1), (4, 1000, 0)],
    ids=["claims", "table-lock", "one-round", "row-by-row"],
)
def test_imports_decide_as_the_rules_one_by_one(waves, monkeypatch, seed, claim_limit, rounds):
    # A small claim limit takes the bulk path (table lock); few rounds leave long chains
    # to the row-by-row end of the settling.
    monkeypatch.setattr(interaction_rules, "CLAIM_LIMIT", claim_limit)
    monkeypatch.setattr(interaction_rules, "ROUNDS", rounds)
    rng = random.Random(seed)
    customers = _customers(rng, 150)
    _history(customers)
    first = _rows(rng, 0, 400, customers)
    first[3]["unit"] = "U-NOWHERE"
    first[8]["moment"] = "no-such-moment"
    seen = _import_and_compare(first, source="till", now=NOW)
    assert seen["scheduled"] >= 5
    assert seen["recently_invited"] >= 5
    assert {"no_wave", "no_consent", "no_contact", "opted_out", "too_late"} <= set(seen)

    # An hour later: more customers come back, and part of the first file is sent again.
    later = NOW + timedelta(hours=1)
    second = _rows(rng, 300, 300, customers)
    again = _import_and_compare(second, source="till", now=later)
    assert again["duplicate"] == 100
    assert again["recently_invited"] >= 5

    # Another source may reuse the ids: they are new interactions there.
    third = _rows(rng, 0, 50, customers)
    assert "duplicate" not in _import_and_compare(third, source="crm", now=later)


def test_a_bad_line_is_named_and_nothing_is_recorded(waves):
    rows = _rows(random.Random(9), 0, 30, _customers(random.Random(9), 10))
    rows[4]["unit"] = "U-NOWHERE"
    rows[20]["consent"] = "maybe"

    report = interactions_import(_csv(rows), source="till", now=NOW)

    assert not report.written
    assert [(p.index + 2, p.field) for p in report.problems] == [(6, "unit"), (22, "consent")]
    assert not Interaction.objects.exists()
    assert not Invitation.objects.exists()
    assert not ContactInvited.objects.exists()


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    picks=st.lists(
        st.tuples(
            st.integers(0, 5),  # phone of customer n (0: none)
            st.integers(0, 5),  # e-mail of customer n (0: none)
            st.sampled_from(["checkout", "delivery", "advice"]),
            st.integers(-6 * 24 * 60, 0),  # minutes before now
            st.booleans(),  # consent
            st.sampled_from(UNITS[:4]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_batch_is_decided_as_one_by_one(waves, picks):
    # Few addresses, many rows: repeats and chains of shared addresses in every batch.
    Interaction.objects.all().delete()
    Invitation.objects.all().delete()
    ContactInvited.objects.all().delete()
    ContactOptOut.objects.all().delete()
    ContactOptOut.objects.create(contact_hash=contact_hash(phone="0611000005"))
    rows = [
        {
            "external_id": f"H-{index}",
            "unit": unit,
            "moment": moment,
            "occurred_at": (NOW + timedelta(minutes=minutes)).isoformat(),
            "phone": f"061100000{phone}" if phone else "",
            "email": f"c{email}@example.com" if email else "",
            "consent": consent,
        }
        for index, (phone, email, moment, minutes, consent, unit) in enumerate(picks)
    ]
    checked, problems = interactions_check(rows, now=NOW)
    assert problems == []
    expected = rules_one_by_one(checked, source="api", now=NOW)

    report = interactions_record(checked, source="api", now=NOW)

    assert {r.external_id: r.outcome for r in report.results} == {
        external_id: want.outcome for external_id, want in expected.items()
    }
    assert {r.external_id: r.send_at for r in report.results} == {
        external_id: want.send_at for external_id, want in expected.items()
    }
    _compare(expected, "api")
