"""Complaints from CSV files, from the public form, and from low hot-survey answers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from miroir.collect.services import response_submit
from miroir.collect.tokens import submission_id_new
from miroir.instruments.services import item_create
from miroir.voices.models import Voice


def _import(tmp_path, content, *args):
    path = tmp_path / "complaints.csv"
    path.write_text(content, encoding="utf-8")
    out = StringIO()
    # The tests read the English messages, whatever LANGUAGE_CODE says.
    with translation.override("en"):
        call_command("voices_import", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_csv_file_is_imported_once(tmp_path, personas):
    content = "external_id,unit,text,moment\nR-1,U-LILLE,File d'attente interminable,\n"
    assert "New: 1;" in _import(tmp_path, content)
    assert "New: 0; already known: 1" in _import(tmp_path, content)
    assert Voice.objects.get().source == "csv"


def test_a_dry_run_records_nothing(tmp_path, personas):
    output = _import(tmp_path, "external_id,unit,text\nR-1,U-LILLE,Sale\n", "--dry-run")
    assert "Valid complaints: 1." in output
    assert not Voice.objects.exists()


def test_errors_name_the_line_and_the_column_and_record_nothing(tmp_path, personas):
    content = "external_id,unit,text\nR-1,U-LILLE,Bien\nR-2,U-NOWHERE,\n"
    with pytest.raises(CommandError) as error:
        _import(tmp_path, content)
    message = str(error.value)
    assert "line 3, column unit" in message and "line 3, column text" in message
    assert not Voice.objects.exists()


def test_the_public_form_takes_a_complaint_and_gives_a_claim_code(client, personas):
    response = client.post(
        f"/voices/complaint/{personas.lille.pk}/",
        {"text": "Personne à l'accueil", "contact_email": "client@example.com"},
    )
    assert response.status_code == 200
    voice = Voice.objects.get()
    assert voice.source == "web_form" and voice.unit == personas.lille
    assert voice.claim_digest and response.context["code"]
    followed = client.post("/voices/follow/", {"code": response.context["code"]})
    assert followed.context["voice"] == voice


def test_the_public_form_of_an_unknown_unit_is_404_and_robots_store_nothing(client, personas):
    assert client.get("/voices/complaint/999999/").status_code == 404
    client.post(f"/voices/complaint/{personas.lille.pk}/", {"text": "spam", "website": "x"})
    assert not Voice.objects.exists()


@pytest.fixture
def hot_wave(make_wave, launch, instrument):
    item_create(
        instrument=instrument,
        actor=None,
        code="pourquoi",
        lens="customer",
        scale="free_text",
        text_fr="Pourquoi ?",
        dimension="welcome",
        required=False,
    )
    return launch(make_wave(lens="customer", kind="hot", channels=[], open_links=True))


def _answer(wave, unit, answers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(
            open_link=(wave.public_id, unit.pk),
            answers={"ecoute-customer": "2", **answers},
            submission_id=submission_id_new(),
        )


def test_a_low_hot_answer_with_a_comment_becomes_a_complaint(
    hot_wave, personas, django_capture_on_commit_callbacks
):
    _answer(
        hot_wave,
        personas.lille,
        {"nps-customer": "3", "pourquoi": "Vingt minutes en caisse"},
        django_capture_on_commit_callbacks,
    )
    voice = Voice.objects.get()
    assert (voice.kind, voice.source, voice.unit) == ("complaint", "hot_survey", personas.lille)
    assert voice.text == "Vingt minutes en caisse"


@pytest.mark.parametrize(
    "answers",
    [{"nps-customer": "7", "pourquoi": "Bien mais lent"}, {"nps-customer": "2"}],
)
def test_a_good_score_or_no_comment_makes_no_complaint(
    hot_wave, personas, answers, django_capture_on_commit_callbacks
):
    _answer(hot_wave, personas.lille, answers, django_capture_on_commit_callbacks)
    assert not Voice.objects.exists()


def test_the_threshold_is_a_setting(
    hot_wave, personas, settings, django_capture_on_commit_callbacks
):
    settings.VOICES_HOT_NPS_MAX = 8
    _answer(
        hot_wave,
        personas.lille,
        {"nps-customer": "7", "pourquoi": "Bien mais lent"},
        django_capture_on_commit_callbacks,
    )
    assert Voice.objects.count() == 1
