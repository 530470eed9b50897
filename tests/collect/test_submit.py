"""Submitting answers: validated whole, stored once, refused clearly, nothing partial."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from miroir.collect.errors import (
    AlreadyAnswered,
    InvitationExpired,
    ResponseRejected,
    UnknownLink,
    WaveClosed,
    WaveNotOpen,
    WrongUnit,
)
from miroir.collect.models import Answer, Invitation, Response
from miroir.collect.sending import invitation_token_issue
from miroir.collect.services import invitation_create_customer, response_submit, wave_close
from miroir.collect.tokens import submission_id_new, token_new
from tests.collect.support import EMPLOYEE_ANSWERS, row_counts, submit, token_for


@pytest.fixture
def wave(make_wave, launch):
    return launch(make_wave(attributes=["contract_type"]))


@pytest.fixture
def token(wave, personas):
    return token_for(wave, personas.employee_member)


def test_a_valid_submission_stores_one_response_with_its_answers(wave, token, personas):
    result = submit(token)
    assert not result.replayed
    response = Response.objects.get()
    assert response.wave == wave
    assert response.unit == personas.lille_vente
    assert response.lens == "employee"
    assert response.submitted_on == timezone.localdate()
    assert response.attributes == {"contract_type": "permanent"}
    assert response.invitation is None
    answers = {answer.item.code: answer for answer in response.answers.select_related("item")}
    assert answers["ecoute-employee"].number == 4
    assert answers["enps"].number == 8
    assert answers["humeur"].choice == "reassured"
    assert answers["idee"].text == "Plus de café"
    assert "rythme" not in answers  # optional and left blank
    assert Invitation.objects.get(wave=wave, member=personas.employee_member).used


def test_dont_know_is_stored_as_such_without_a_value(token):
    submit(token, {**EMPLOYEE_ANSWERS, "ecoute-employee": "dont_know"})
    answer = Answer.objects.get(item__code="ecoute-employee")
    assert answer.dont_know
    assert answer.number is None and answer.choice is None and answer.text is None


@pytest.mark.parametrize(
    ("answers", "item", "reason"),
    [
        ({**EMPLOYEE_ANSWERS, "enps": "11"}, "enps", "choice"),
        ({**EMPLOYEE_ANSWERS, "ecoute-employee": "4.5"}, "ecoute-employee", "choice"),
        ({**EMPLOYEE_ANSWERS, "humeur": "ecstatic"}, "humeur", "choice"),
        ({**EMPLOYEE_ANSWERS, "rythme": "jamais"}, "rythme", "choice"),
        ({**EMPLOYEE_ANSWERS, "idee": "x" * 51}, "idee", "too_long"),
        ({k: v for k, v in EMPLOYEE_ANSWERS.items() if k != "enps"}, "enps", "blank"),
        ({**EMPLOYEE_ANSWERS, "salaire": "3"}, "salaire", "unknown_item"),
        ({**EMPLOYEE_ANSWERS, "ecoute-customer": "3"}, "ecoute-customer", "unknown_item"),
        ({**EMPLOYEE_ANSWERS, "enps": "dont_know"}, "enps", "choice"),
    ],
)
def test_a_bad_answer_is_rejected_by_name_and_nothing_is_stored(token, answers, item, reason):
    before = row_counts()
    with pytest.raises(ResponseRejected) as rejected:
        submit(token, answers)
    assert [(p.item_code, p.reason) for p in rejected.value.problems] == [(item, reason)]
    assert rejected.value.problems[0].message
    assert row_counts() == before


def test_every_problem_is_named_at_once(token):
    with pytest.raises(ResponseRejected) as rejected:
        submit(token, {"enps": "-1", "inconnu": "1"})
    assert {p.item_code for p in rejected.value.problems} == {"inconnu", "enps", "ecoute-employee"}


def test_problems_are_worded_in_the_respondents_language(token):
    with pytest.raises(ResponseRejected) as french:
        submit(token, {**EMPLOYEE_ANSWERS, "enps": ""}, language="fr")
    with pytest.raises(ResponseRejected) as english:
        submit(token, {**EMPLOYEE_ANSWERS, "enps": ""}, language="en")
    assert french.value.problems[0].message != english.value.problems[0].message
    assert "answer" in english.value.problems[0].message.lower()


def test_a_second_submission_with_the_same_token_stores_nothing(token):
    submit(token)
    before = row_counts()
    # Acknowledged like a first one (a used link must look unused), and dropped whole.
    assert submit(token).replayed is False
    assert row_counts() == before
    assert Response.objects.count() == 1


def test_any_token_of_the_invitation_is_single_use(wave, personas):
    first = token_for(wave, personas.employee_member)
    reminder = token_for(wave, personas.employee_member)
    submit(reminder)
    before = row_counts()
    submit(first)
    assert row_counts() == before


def test_a_customer_link_still_says_it_was_used(make_wave, launch, personas):
    wave = launch(make_wave(lens="customer", channels=["email"], units=[personas.lille]))
    invitation = invitation_create_customer(
        wave=wave, unit=personas.lille, channel="email", email="client@example.com"
    )
    token = invitation_token_issue(invitation=invitation)
    answers = {"ecoute-customer": "4", "nps-customer": "9"}
    submit(token, answers)
    with pytest.raises(AlreadyAnswered):
        submit(token, answers)


def test_a_retry_with_the_same_submission_id_returns_the_same_outcome_without_a_row(token):
    submission_id = submission_id_new()
    assert not submit(token, submission_id=submission_id).replayed
    before = row_counts()
    again = submit(token, submission_id=submission_id)
    assert again.replayed
    assert row_counts() == before


def test_a_retry_is_acknowledged_even_after_the_wave_closed(wave, token, personas):
    submission_id = submission_id_new()
    submit(token, submission_id=submission_id)
    wave_close(wave=wave, actor=personas.admin)
    assert submit(token, submission_id=submission_id).replayed
    assert Response.objects.count() == 1


@pytest.mark.parametrize("forged", ["", "abc", token_new(), "x" * 43, "../../etc/passwd"])
def test_a_forged_or_unknown_token_is_an_unknown_link(wave, forged):
    before = row_counts()
    with pytest.raises(UnknownLink):
        submit(forged)
    assert row_counts() == before


def test_an_expired_invitation_is_refused(wave, token, personas):
    Invitation.objects.filter(member=personas.employee_member).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    before = row_counts()
    with pytest.raises(InvitationExpired):
        submit(token)
    assert row_counts() == before


def test_a_closed_wave_takes_no_answer(wave, token, personas):
    wave_close(wave=wave, actor=personas.admin)
    before = row_counts()
    with pytest.raises(WaveClosed):
        submit(token)
    assert row_counts() == before


def test_a_wave_past_its_closing_time_takes_no_answer_before_the_tick_closes_it(wave, token):
    with pytest.raises(WaveClosed):
        submit(token, now=wave.closes_at + timedelta(seconds=1))


def test_a_scheduled_wave_takes_no_answer_yet(make_wave, launch, personas):
    wave = launch(make_wave(opens_at=timezone.now() + timedelta(days=2)))
    assert wave.status == "scheduled"
    with pytest.raises(WaveNotOpen):
        submit(token_for(wave, personas.employee_member))


def test_an_open_link_stores_an_anonymous_response_for_its_unit(make_wave, launch, personas):
    wave = launch(make_wave(open_links=True, channels=[]))
    for _ in range(2):
        response_submit(
            open_link=(wave.public_id, personas.arras.pk),
            answers=EMPLOYEE_ANSWERS,
            submission_id=submission_id_new(),
        )
    assert list(Response.objects.values_list("unit_id", "channel", "attributes")) == [
        (personas.arras.pk, "link", {}),
        (personas.arras.pk, "link", {}),
    ]


def test_an_open_link_outside_the_audience_is_the_wrong_unit(make_wave, launch, personas):
    wave = launch(make_wave(open_links=True, channels=[], units=[personas.nord]))
    before = row_counts()
    with pytest.raises(WrongUnit):
        response_submit(
            open_link=(wave.public_id, personas.marseille.pk),
            answers=EMPLOYEE_ANSWERS,
            submission_id=submission_id_new(),
        )
    with pytest.raises(WrongUnit):
        response_submit(
            open_link=(wave.public_id, 999_999),
            answers=EMPLOYEE_ANSWERS,
            submission_id=submission_id_new(),
        )
    assert row_counts() == before


def test_a_wave_without_open_links_refuses_them(wave, personas):
    with pytest.raises(UnknownLink):
        response_submit(
            open_link=(wave.public_id, personas.lille.pk),
            answers=EMPLOYEE_ANSWERS,
            submission_id=submission_id_new(),
        )


def test_a_malformed_submission_id_is_rejected(token):
    with pytest.raises(ResponseRejected):
        submit(token, submission_id="short")


def test_the_database_refuses_an_employee_response_linked_to_its_invitation(wave, personas):
    invitation = Invitation.objects.get(wave=wave, member=personas.employee_member)
    with pytest.raises(IntegrityError):
        Response.objects.create(
            wave=wave,
            unit=invitation.unit,
            lens="employee",
            submitted_on=timezone.localdate(),
            channel="email",
            invitation=invitation,
        )


def test_a_customer_response_keeps_its_invitation_for_follow_up(make_wave, launch, personas):
    from miroir.collect.sending import invitation_token_issue
    from miroir.collect.services import invitation_create_customer

    wave = launch(make_wave(lens="customer", channels=["email"], open_links=True))
    invitation = invitation_create_customer(
        wave=wave, unit=personas.lille, channel="email", email="client@example.com", language="en"
    )
    token = invitation_token_issue(invitation=invitation)
    response_submit(
        invitation_token=token,
        answers={"ecoute-customer": "5", "nps-customer": "9"},
        submission_id=submission_id_new(),
    )
    assert Response.objects.get().invitation == invitation
