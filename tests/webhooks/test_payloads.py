"""What each event carries: ids, units, kinds and dates, never words, people or figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from miroir.org.models import ContractType, Lens, Member
from miroir.results import gate
from miroir.results.models import Publication
from miroir.results.periods import period_of
from miroir.results.services import publication_publish, publication_withdraw
from miroir.voices.models import Voice
from miroir.voices.services import (
    anonymous_unit_for,
    complaint_receive,
    voice_answer,
    voice_submit,
    voices_escalate_overdue,
)
from miroir.webhooks.services import anonymous_voices_announce

PARIS = timezone.get_fixed_timezone(60)
DAY = datetime(2026, 3, 2, 14, 37, tzinfo=PARIS)
WORDS = "Une machine à café en salle de pause"


def _colleagues(unit, count):
    return [
        Member.objects.create(
            first_name=f"Collègue{index}",
            last_name="Vente",
            unit=unit,
            contract_type=ContractType.PERMANENT,
        )
        for index in range(count)
    ]


def _no_words(receiver, *words):
    for request in receiver.requests:
        text = request.body.decode()
        for word in words:
            assert word not in text, f"{word!r} left in a {request.event['type']} event"


def test_a_signed_voice_carries_no_words_and_no_author(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(["voice.received"])
    with django_capture_on_commit_callbacks(execute=True):
        voice = voice_submit(
            author=personas.employee_member, kind="suggestion", title="Café", text=WORDS
        ).voice
    [event] = receiver.events("voice.received")
    assert set(event["data"]) == {
        "id", "kind", "lens", "source", "external_id", "anonymous", "unit", "moment", "status",
        "outcome", "received_at", "due_at", "answered_at", "link",
    }  # fmt: skip
    assert event["data"]["id"] == str(voice.pk)
    assert event["data"]["unit"]["id"] == personas.lille_vente.pk
    assert event["data"]["anonymous"] is False
    _no_words(receiver, WORDS, "Café", "Émile", "emile@example.com", "Vendeur")


def test_an_anonymous_voice_is_not_announced_when_it_arrives(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(["voice.received"])
    with django_capture_on_commit_callbacks(execute=True):
        voice_submit(
            author=personas.employee_member, kind="suggestion", text=WORDS, anonymous=True, now=DAY
        )
    assert receiver.requests == []


def test_anonymous_voices_leave_the_day_after_in_one_batch_under_a_unit_large_enough(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(["voice.received"])
    # The first round only starts the count: nothing older is replayed.
    assert anonymous_voices_announce(now=DAY - timedelta(hours=5)) == 0
    # Émile's team, shop and region hold too few people for a verbatim: the company.
    with django_capture_on_commit_callbacks(execute=True):
        voices = [
            voice_submit(
                author=personas.employee_member,
                kind="suggestion",
                text=f"{WORDS} {number}",
                anonymous=True,
                now=DAY + timedelta(minutes=number),
            ).voice
            for number in range(3)
        ]
    assert anonymous_voices_announce(now=DAY + timedelta(hours=2)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        announced = anonymous_voices_announce(now=DAY + timedelta(days=1, hours=1))
    assert announced == 3
    events = receiver.events("voice.received")
    assert sorted(event["data"]["id"] for event in events) == sorted(str(v.pk) for v in voices)
    for event in events:
        data = event["data"]
        assert data["anonymous"] is True
        assert data["unit"]["id"] == personas.company.pk
        # The day, never the minute.
        assert data["received_at"] == "2026-03-01T23:00:00+00:00"
    _no_words(receiver, WORDS, "Émile", "Lille", "U-LILLE")
    # The next round finds nothing new.
    assert anonymous_voices_announce(now=DAY + timedelta(days=1, hours=2)) == 0


def test_an_anonymous_voice_climbs_again_when_its_team_shrank_since(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    threshold = gate.verbatim_threshold(Lens.EMPLOYEE)
    colleagues = _colleagues(personas.lille_vente, threshold)
    subscribe(["voice.received"])
    anonymous_voices_announce(now=DAY - timedelta(hours=5))
    voice = voice_submit(
        author=personas.employee_member, kind="suggestion", text=WORDS, anonymous=True, now=DAY
    ).voice
    assert voice.unit == personas.lille_vente  # filed in the team while it was large enough
    # Half the team leaves before the announcement.
    Member.objects.filter(pk__in=[c.pk for c in colleagues[: threshold // 2 + 1]]).update(
        is_active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        anonymous_voices_announce(now=DAY + timedelta(days=1, hours=1))
    [event] = receiver.events("voice.received")
    unit_id = event["data"]["unit"]["id"]
    assert unit_id != personas.lille_vente.pk
    assert unit_id == anonymous_unit_for(personas.lille_vente, Lens.EMPLOYEE).pk


def test_a_complaint_carries_neither_its_text_nor_the_customer(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(["complaint.received"])
    with django_capture_on_commit_callbacks(execute=True):
        voice = complaint_receive(
            unit=personas.lille,
            text="M. Dupont attendait depuis vingt minutes",
            title="Attente",
            source="web_form",
            contact_email="jean.dupont@example.com",
        ).voice
    [event] = receiver.events("complaint.received")
    assert event["data"]["kind"] == "complaint"
    assert event["data"]["lens"] == "customer"
    assert event["data"]["id"] == str(voice.pk)
    # A form's own receipt is no id of the sender's: none is passed on.
    assert event["data"]["external_id"] is None
    _no_words(receiver, "Dupont", "vingt minutes", "Attente", "jean.dupont")


def test_an_answer_is_announced_without_its_words(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    voice = voice_submit(author=personas.employee_member, kind="suggestion", text=WORDS).voice
    subscribe(["voice.answered"])
    with django_capture_on_commit_callbacks(execute=True):
        voice_answer(
            voice=voice, actor=personas.shop_manager, outcome="declined", text="Pas de budget"
        )
    [event] = receiver.events("voice.answered")
    assert event["data"]["status"] == "answered"
    assert event["data"]["outcome"] == "declined"
    assert event["data"]["answered_at"] is not None
    _no_words(receiver, WORDS, "Pas de budget", "Sophie")


def test_an_overdue_voice_raises_an_alert(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    complaint = complaint_receive(
        unit=personas.lille, text="Personne en caisse", source="api", external_id="C-1"
    ).voice
    subscribe(["alert.raised"])
    with django_capture_on_commit_callbacks(execute=True):
        voices_escalate_overdue(now=complaint.due_at + timedelta(hours=1))
    [event] = receiver.events("alert.raised")
    assert event["data"]["alert"] == "voice_overdue"
    assert event["data"]["unit"]["id"] == personas.lille.pk
    assert event["data"]["voice"]["id"] == str(complaint.pk)
    _no_words(receiver, "Personne en caisse")


def test_a_subscription_scoped_elsewhere_hears_nothing(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(["complaint.received", "voice.received"], unit=personas.sud)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_receive(unit=personas.lille, text="Trop d'attente", source="api")
        voice_submit(author=personas.employee_member, kind="suggestion", text=WORDS)
    assert receiver.requests == []


def test_a_hidden_voice_is_not_announced(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    voice = voice_submit(author=personas.employee_member, kind="suggestion", text=WORDS).voice
    Voice.objects.filter(pk=voice.pk).update(is_hidden=True)
    subscribe(["voice.answered"])
    with django_capture_on_commit_callbacks(execute=True):
        voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted")
    assert receiver.requests == []


def test_published_results_carry_the_unit_and_period_and_no_figure(
    personas, receiver, subscribe, monkeypatch, django_capture_on_commit_callbacks
):
    quarter = period_of(date(2026, 1, 15))
    # The service refuses a period without responses; this test is about the event only.
    monkeypatch.setattr("miroir.results.services._publication_period", lambda period: quarter)
    subscribe(["results.published", "results.withdrawn"])
    with django_capture_on_commit_callbacks(execute=True):
        published = publication_publish(
            unit=personas.lille,
            period=quarter.label,
            actor=personas.shop_manager,
            message="Merci pour vos 137 retours, Zephyrine",
        )
    with django_capture_on_commit_callbacks(execute=True):
        publication_withdraw(publication=published.publication, actor=personas.shop_manager)
    first, second = receiver.events()
    assert first["type"] == "results.published"
    assert set(first["data"]) == {"id", "unit", "period", "published_at", "withdrawn_at", "link"}
    assert first["data"]["period"] == quarter.label
    assert first["data"]["unit"]["id"] == personas.lille.pk
    assert first["data"]["withdrawn_at"] is None
    assert second["type"] == "results.withdrawn"
    assert second["data"]["withdrawn_at"] is not None
    assert Publication.objects.count() == 1
    _no_words(receiver, "137 retours", "Zephyrine", "Merci")


@pytest.fixture
def wave_units(personas):
    return [personas.lille, personas.marseille]


def test_wave_events_name_only_the_units_in_the_subscriptions_scope(
    personas, receiver, subscribe, wave_units, django_capture_on_commit_callbacks
):
    from miroir.collect.services import wave_close, wave_create, wave_launch
    from tests.security.world import build_instrument

    instrument, _item = build_instrument(personas.admin)
    wave = wave_create(
        actor=personas.admin,
        instrument=instrument,
        name="Pulse de mars",
        lens="employee",
        units=wave_units,
        closes_at=timezone.now() + timedelta(days=30),
        channels=["link"],
    )
    subscribe(["wave.opened", "wave.closed"], unit=personas.nord)
    subscribe(["wave.opened"], unit=personas.arras)
    with django_capture_on_commit_callbacks(execute=True):
        wave_launch(wave=wave, actor=personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        wave_close(wave=wave, actor=personas.admin)
    opened, closed = receiver.events()
    assert opened["type"] == "wave.opened" and closed["type"] == "wave.closed"
    assert opened["data"]["status"] == "open"
    assert closed["data"]["status"] == "closed"
    assert [unit["id"] for unit in opened["data"]["units"]] == [personas.lille.pk]
    assert opened["data"]["name"] == "Pulse de mars"
    _no_words(receiver, "Marseille")
