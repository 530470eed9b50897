"""The life cycle of a voice and its deadlines, on a fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from miroir.audit.models import AuditEntry
from miroir.voices.models import Voice, VoiceEvent, VoiceOutcome, VoiceStatus
from miroir.voices.services import (
    voice_acknowledge,
    voice_answer,
    voice_deadline,
    voice_merge,
    voice_study,
)
from tests.voices.conftest import T0


def test_a_voice_goes_from_received_to_answered_with_each_step_dated(personas, suggestion):
    voice = suggestion()
    assert voice.status == VoiceStatus.RECEIVED
    voice = voice_acknowledge(voice=voice, actor=personas.shop_manager, now=T0 + timedelta(days=1))
    voice = voice_study(voice=voice, actor=personas.shop_manager, now=T0 + timedelta(days=2))
    voice = voice_answer(
        voice=voice,
        actor=personas.shop_manager,
        outcome=VoiceOutcome.ADOPTED,
        text="Dès samedi prochain.",
        now=T0 + timedelta(days=3),
    )
    assert voice.status == VoiceStatus.ANSWERED
    assert voice.acknowledged_at == T0 + timedelta(days=1)
    assert voice.studied_at == T0 + timedelta(days=2)
    assert voice.answered_at == T0 + timedelta(days=3)
    assert voice.answered_by.user == personas.shop_manager
    kinds = list(VoiceEvent.objects.filter(voice=voice).values_list("kind", flat=True))
    assert kinds == ["received", "acknowledged", "studying", "answered"]
    assert AuditEntry.objects.filter(action="voice.answer", target=f"voice:{voice.pk}").exists()


def test_declining_without_a_reason_is_refused_and_changes_nothing(personas, suggestion):
    voice = suggestion()
    with pytest.raises(ValidationError) as error:
        voice_answer(voice=voice, actor=personas.shop_manager, outcome="declined", text="  ")
    assert "text" in error.value.message_dict
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.RECEIVED and voice.outcome == ""


def test_an_answered_voice_cannot_be_answered_again_except_adopted_to_implemented(
    personas, suggestion
):
    voice = suggestion()
    voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted", now=T0)
    voice = voice_answer(
        voice=voice,
        actor=personas.shop_manager,
        outcome="implemented",
        effect="Attente divisée par deux",
        now=T0 + timedelta(days=20),
    )
    assert voice.outcome == "implemented" and voice.answered_at == T0
    with pytest.raises(ValidationError):
        voice_answer(voice=voice, actor=personas.shop_manager, outcome="declined", text="Non")


def test_study_after_answer_is_refused(personas, suggestion):
    voice = suggestion()
    voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted")
    with pytest.raises(ValidationError):
        voice_study(voice=voice, actor=personas.shop_manager)
    with pytest.raises(ValidationError):
        voice_acknowledge(voice=voice, actor=personas.shop_manager)


def test_merging_answers_the_voice_and_moves_its_supporters(personas, suggestion):
    from miroir.voices.services import voice_support

    first = suggestion("Ouvrir une deuxième caisse le samedi matin")
    second = suggestion("Deuxième caisse ouverte le samedi matin svp")
    voice_support(voice=second, member=personas.partner_member)
    voice_merge(voice=second, into=first, actor=personas.shop_manager)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.outcome == VoiceOutcome.MERGED and second.merged_into == first
    assert first.support_count == 1
    with pytest.raises(ValidationError):
        voice_merge(voice=first, into=first, actor=personas.shop_manager)


def test_deadlines_are_the_same_by_default_for_employee_voices_and_complaints(
    suggestion, complaint
):
    voice = suggestion()
    customer = complaint()
    assert voice.due_at - voice.received_at == customer.due_at - customer.received_at
    assert voice.due_at == T0 + timedelta(days=30)


def test_deadline_per_kind_follows_the_settings(settings):
    settings.VOICES_DEADLINE_DAYS = {**settings.VOICES_DEADLINE_DAYS, "testimonial": 10}
    assert voice_deadline("testimonial", T0) == T0 + timedelta(days=10)


def test_the_author_is_told_of_the_answer_by_email_when_they_chose_it(
    personas, suggestion, django_capture_on_commit_callbacks
):
    voice = suggestion(notify="email")
    with django_capture_on_commit_callbacks(execute=True):
        voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted", text="Oui")
    assert [message.to for message in mail.outbox] == [["emile@example.com"]]
    assert "Oui" in mail.outbox[0].body
    assert Voice.objects.get(pk=voice.pk).answer_unread


def test_an_author_who_chose_the_app_only_gets_no_email(
    personas, suggestion, django_capture_on_commit_callbacks
):
    voice = suggestion(notify="app")
    with django_capture_on_commit_callbacks(execute=True):
        voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted", text="Oui")
    assert mail.outbox == []
    assert Voice.objects.get(pk=voice.pk).answer_unread


def test_an_irritant_needs_its_journey_moment(personas, moment):
    from miroir.voices.services import voice_submit

    with pytest.raises(ValidationError) as error:
        voice_submit(author=personas.employee_member, kind="irritant", text="La file déborde")
    assert "moment" in error.value.message_dict
    voice = voice_submit(
        author=personas.employee_member, kind="irritant", text="La file déborde", moment="checkout"
    ).voice
    assert voice.moment == moment


def test_an_empty_text_is_refused(personas):
    from miroir.voices.services import voice_submit

    with pytest.raises(ValidationError):
        voice_submit(author=personas.employee_member, kind="suggestion", text="   ")
    assert not Voice.objects.exists()


def test_a_customer_who_left_an_address_gets_the_answer_by_email(
    personas, complaint, django_capture_on_commit_callbacks
):
    voice = complaint(contact_email="client@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted", text="Pardon")
    assert [message.to for message in mail.outbox] == [["client@example.com"]]


def test_the_navigation_counts_unread_answers(client, personas, suggestion):
    voice = suggestion()
    voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted", text="Oui")
    client.force_login(personas.employee)
    assert "(1 " in client.get("/voices/ideas/").content.decode()
    client.get(f"/voices/mine/{voice.pk}/")
    assert "(1 " not in client.get("/voices/ideas/").content.decode()
