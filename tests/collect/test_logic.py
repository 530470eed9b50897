"""Survey logic at intake: only the items asked are stored, whichever way the answers come."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miroir.collect.channels.kiosk.keys import kiosk_header_token
from miroir.collect.errors import ResponseRejected
from miroir.collect.models import Answer, Response
from miroir.collect.services import kiosk_issue, response_submit
from miroir.collect.tokens import submission_id_new
from miroir.instruments.services import item_create
from tests.collect.support import EMPLOYEE_ANSWERS, row_counts

DETRACTORS = [str(value) for value in range(7)]
# What a promoter who will not stay is asked (EMPLOYEE_ANSWERS leaves "rythme" blank).
LEAVER_ASKED = {"ecoute-employee", "enps", "humeur", "idee", "rester"}


@pytest.fixture
def logic_instrument(instrument):
    """Add to the employee lens: "why" for detractors, then "stay" (no ends it), then "next"."""
    common = {"instrument": instrument, "actor": None, "lens": "employee", "dimension": "sens"}
    item_create(
        code="pourquoi",
        scale="agree5",
        allow_dont_know=True,
        text_fr="Pourquoi pas ?",
        text_en="Why not?",
        show_when=[{"item": "enps", "in": DETRACTORS}],
        **common,
    )
    item_create(
        code="rester",
        scale="yes_no",
        text_fr="Resterez-vous ?",
        text_en="Will you stay?",
        end_when=["no"],
        **common,
    )
    item_create(
        code="ensuite", scale="agree5", text_fr="Et ensuite ?", text_en="And then?", **common
    )
    return instrument


@pytest.fixture
def wave(logic_instrument, make_wave, launch):
    return launch(make_wave(open_links=True, channels=["link", "kiosk"]))


def _submit(wave, unit, answers, **kwargs):
    return response_submit(
        open_link=(wave.public_id, unit.pk),
        answers=answers,
        submission_id=submission_id_new(),
        **kwargs,
    )


def _stored(response) -> dict[str, str]:
    return {
        answer.item.code: answer
        for answer in Answer.objects.filter(response=response).select_related("item")
    }


def test_a_promoter_is_not_asked_why_and_a_leaver_is_asked_nothing_more(wave, personas):
    _submit(wave, personas.arras, {**EMPLOYEE_ANSWERS, "enps": "9", "rester": "no"})
    stored = _stored(Response.objects.get())
    assert "pourquoi" not in stored and "ensuite" not in stored  # not asked: no row at all
    assert stored["rester"].number == 0


def test_a_question_asked_and_required_is_still_required(wave, personas):
    with pytest.raises(ResponseRejected) as caught:
        _submit(wave, personas.arras, {**EMPLOYEE_ANSWERS, "enps": "3", "rester": "yes"})
    assert {(p.item_code, p.reason) for p in caught.value.problems} == {
        ("pourquoi", "blank"),
        ("ensuite", "blank"),
    }
    assert row_counts()["responses"] == 0


def test_an_answer_to_a_question_not_asked_is_refused_naming_it(wave, personas):
    with pytest.raises(ResponseRejected) as caught:
        _submit(
            wave,
            personas.arras,
            {**EMPLOYEE_ANSWERS, "enps": "9", "pourquoi": "2", "rester": "no", "ensuite": "4"},
            language="en",
        )
    assert [(p.item_code, p.reason, p.message) for p in caught.value.problems] == [
        ("pourquoi", "not_asked", "This question is not asked after the answers given before it."),
        ("ensuite", "not_asked", "This question is not asked after the answers given before it."),
    ]
    assert row_counts()["responses"] == 0


def test_the_pages_drop_answers_to_questions_not_asked(wave, personas):
    _submit(
        wave,
        personas.arras,
        {**EMPLOYEE_ANSWERS, "enps": "9", "pourquoi": "2", "rester": "no", "ensuite": "4"},
        not_asked="ignore",
    )
    assert set(_stored(Response.objects.get())) == LEAVER_ASKED


# The property: for any answers, what is stored is exactly what the logic asks -----------------

_ANSWERS = st.fixed_dictionaries(
    {
        "ecoute-employee": st.sampled_from(["1", "3", "5", "dont_know"]),
        "enps": st.sampled_from([str(value) for value in range(11)]),
        "pourquoi": st.sampled_from(["", "1", "4", "dont_know"]),
        "rester": st.sampled_from(["", "yes", "no", "1", "0"]),
        "ensuite": st.sampled_from(["", "2", "5"]),
    }
)


def _expected(answers: dict[str, str]) -> tuple[set[str], set[str]]:
    """Return (items asked, asked items left blank), written out without the logic module."""
    asked = {"ecoute-employee", "enps", "humeur", "rythme", "idee", "rester"}
    if int(answers["enps"]) <= 6:
        asked.add("pourquoi")
    if answers["rester"] not in ("no", "0"):  # Only an answer ends the survey.
        asked.add("ensuite")
    blank = {code for code in asked if not answers.get(code)}
    return asked, blank


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=_ANSWERS)
def test_stored_answers_are_exactly_those_whose_conditions_hold(wave, personas, answers):
    Response.objects.all().delete()
    asked, blank = _expected(answers)
    required_blank = blank - {"humeur", "rythme", "idee"}
    try:
        _submit(wave, personas.arras, answers, not_asked="ignore")
    except ResponseRejected as rejected:
        assert {problem.item_code for problem in rejected.problems} == required_blank
        assert {problem.reason for problem in rejected.problems} == {"blank"}
        assert not Response.objects.exists()
        return
    assert not required_blank
    assert set(_stored(Response.objects.get())) == asked - blank


# The kiosk intake -----------------------------------------------------------------------------


def test_the_kiosk_intake_answers_400_naming_a_question_not_asked(client, wave, personas):
    key = kiosk_issue(wave=wave, unit=personas.arras, actor=None)[1]
    setup = reverse("collect:kiosk_setup", args=[wave.public_id, personas.arras.pk])
    assert client.post(setup, {"key": key}).status_code == 200

    def send(answers):
        return client.post(
            reverse("collect:kiosk_submit", args=[wave.public_id, personas.arras.pk]),
            data=json.dumps({"submission_id": str(uuid.uuid4()), "answers": answers, "lang": "en"}),
            content_type="application/json",
            headers={"X-Miroir-Kiosk": kiosk_header_token(key)},
        )

    refused = send(
        {**EMPLOYEE_ANSWERS, "enps": "10", "pourquoi": "1", "rester": "yes", "ensuite": "3"}
    )
    assert refused.status_code == 400
    assert refused.json()["problems"] == [
        {
            "item": "pourquoi",
            "reason": "not_asked",
            "message": "This question is not asked after the answers given before it.",
        }
    ]
    assert not Response.objects.exists()
    # Leaving out the questions not asked is how a kiosk answers: stored.
    stored = send({**EMPLOYEE_ANSWERS, "enps": "10", "rester": "no"})
    assert stored.status_code == 201
    assert set(_stored(Response.objects.get())) == LEAVER_ASKED


def test_the_respondent_page_stores_only_what_was_asked(client, wave, personas):
    url = reverse("collect:respond_open", args=[wave.public_id, personas.arras.pk])
    form = {f"q-{code}": value for code, value in EMPLOYEE_ANSWERS.items()}
    # Scripts off: every question shows and the respondent answered them all.
    sent = client.post(
        url,
        {
            **form,
            "q-enps": "8",
            "q-pourquoi": "1",
            "q-rester": "0",
            "q-ensuite": "5",
            "submission_id": "s" * 20,
        },
    )
    assert sent.status_code == 302
    assert set(_stored(Response.objects.get())) == LEAVER_ASKED


def test_the_respondent_page_carries_the_rules_for_its_script(client, wave, personas):
    url = reverse("collect:respond_open", args=[wave.public_id, personas.arras.pk])
    html = client.get(url).content.decode()
    assert 'data-item="pourquoi"' in html and "logic.js" in html
    assert "&quot;end_when&quot;: [&quot;0&quot;]" in html
