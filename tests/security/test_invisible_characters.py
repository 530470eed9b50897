"""Invisible and direction-changing characters leave every name and free text, whatever the door.

"Lil\u200ble" must not become a second Lille, and a U+202E must not reverse what a manager
reads after it. One helper, ``miroir.core.inputs.text_clean``, removes them; these tests type
them through the import page, the forms, the API, the kiosk and the questionnaire import.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from miroir.collect.models import Answer, Wave
from miroir.core.inputs import INVISIBLE, text_clean
from miroir.instruments.models import Instrument
from miroir.org.models import Member, Unit
from miroir.voices.models import Voice
from tests.security.support import client_as
from tests.security.world import World

# Zero-width space, non-joiner, joiner, word joiner, byte-order mark, soft hyphen, the bidi
# marks, an embedding, an override, an isolate and its end, a tag character.
HIDDEN = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u202a",
    "\u202e",
    "\u2067",
    "\u2069",
    "\U000e0041",
]


def _hide(text: str) -> str:
    """Return ``text`` with every hidden character slipped between its letters."""
    return "".join(letter + HIDDEN[index % len(HIDDEN)] for index, letter in enumerate(text))


@given(st.text())
def test_the_cleaned_text_holds_no_invisible_character_and_cleaning_again_changes_nothing(text):
    cleaned = text_clean(text)
    assert not INVISIBLE.search(cleaned.replace("\u200d", ""))
    assert text_clean(cleaned) == cleaned


@given(st.text(st.characters(blacklist_categories=["Cf", "Cs"])))
def test_visible_text_comes_back_as_it_was_up_to_composition(text):
    assert text_clean(text) == unicodedata.normalize("NFC", text)


def test_a_joiner_inside_an_emoji_stays_and_one_between_letters_goes():
    assert text_clean("👩\u200d💻") == "👩\u200d💻"
    assert text_clean("Li\u200dlle") == "Lille"
    assert text_clean("Lil\u202eelli") == "Lilelli"


def _import(world: World, field: str, content: str) -> None:
    """Import one CSV file through the administrators' page; it must hold no error."""
    upload = SimpleUploadedFile("file.csv", content.encode(), "text/csv")
    page = client_as(world, "admin").post(reverse("org:import"), {field: upload})
    assert page.status_code == 200
    assert page.context["report"].errors == []


def test_unit_and_member_names_imported_with_hidden_characters_are_the_plain_names(world):
    units = (
        "external_id,name,kind,parent_external_id\n"
        f"U{_hide('-X')},{_hide('Lille Caisse')},team,U-LILLE\n"
    )
    members = (
        "external_id,first_name,last_name,unit_external_id,contract_type\n"
        f"M-X,{_hide('Émile')},{_hide('Roux')},U-X,permanent\n"
    )
    _import(world, "units_file", units)
    _import(world, "members_file", members)
    assert Unit.objects.get(external_id="U-X").name == "Lille Caisse"
    member = Member.objects.get(external_id="M-X")
    assert (member.first_name, member.last_name) == ("Émile", "Roux")


def test_a_voice_typed_in_the_form_loses_its_hidden_characters(world: World):
    client = client_as(world, "employee")
    data = {"kind": "suggestion", "title": _hide("Des plantes"), "text": _hide("Au rayon.")}
    response = client.post(reverse("voices:submit"), {**data, "notify": "app"})
    assert response.status_code == 302
    voice = Voice.objects.order_by("-received_at").first()
    assert (voice.title, voice.text) == ("Des plantes", "Au rayon.")


def test_a_complaint_pushed_by_the_api_loses_its_hidden_characters(world: World):
    client = client_as(world, "token_unit")
    body = {"complaints": [{"external_id": "c-x", "unit": "U-LILLE", "text": _hide("Attente")}]}
    response = client.post(
        "/api/v1/voices/complaints", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Voice.objects.get(external_id="c-x").text == "Attente"


def test_a_free_text_answer_loses_its_hidden_characters(world: World):
    client = client_as(world, "anonymous")
    url = reverse("collect:respond", args=[world["token"]])
    response = client.post(url, {"q-ecoute": "4", "q-idee": _hide("Plus de café")})
    assert response.status_code == 302, response.content
    assert Answer.objects.get(item__code="idee").text == "Plus de café"


def test_a_wave_name_and_a_questionnaire_title_lose_their_hidden_characters(world: World):
    client = client_as(world, "admin")
    client.post(
        reverse("collect:wave_edit", args=[world["wave_id"]]),
        {**_wave_form(world), "name": _hide("Vague Nord")},
    )
    assert Wave.objects.get(pk=world["wave_id"]).name == "Vague Nord"
    catalog = {
        "format": "miroir-instrument",
        "format_version": 1,
        "slug": "cache",
        "version": 1,
        "kind": "pulse",
        "title": {"fr": _hide("Baromètre"), "en": "Barometer"},
        "items": [
            {
                "code": "q1",
                "lens": "employee",
                "scale": "agree5",
                "dimension": "sens",
                "text": {"fr": _hide("Je suis écouté."), "en": "I am listened to."},
            }
        ],
    }
    upload = SimpleUploadedFile("c.json", json.dumps(catalog).encode(), "application/json")
    response = client.post(reverse("instruments:import"), {"file": upload})
    assert response.status_code == 302, response.context.get("problems")
    instrument = Instrument.objects.get(slug="cache")
    assert instrument.title_fr == "Baromètre"
    assert instrument.items.get().text_fr == "Je suis écouté."


def _wave_form(world: World) -> dict:
    wave = world.draft_wave
    return {
        "instrument": wave.instrument_id,
        "name": wave.name,
        "lens": wave.lens,
        "units": [unit.pk for unit in wave.units.all()],
        "closes_at": wave.closes_at.strftime("%Y-%m-%dT%H:%M"),
        "channels": wave.channels,
        "kind": wave.kind,
        "language": wave.language,
        "threshold_scores": wave.threshold_scores,
        "threshold_verbatims": wave.threshold_verbatims,
    }


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\ufeff"])
def test_two_units_differing_only_by_a_hidden_character_have_the_same_name(world, hidden):
    lille = world.personas.lille
    units = (
        "external_id,name,kind,parent_external_id\n"
        f"U-Y,{lille.name[:2]}{hidden}{lille.name[2:]},team,U-LILLE\n"
    )
    _import(world, "units_file", units)
    assert Unit.objects.get(external_id="U-Y").name == lille.name


def test_no_visible_character_of_the_input_turns_into_a_joiner():
    # A noncharacter once served as the kept joiners' placeholder and came back as U+200D.
    assert text_clean("\U0010fffe") == "\U0010fffe"
    assert text_clean("a\U0010fffeb\u200dc") == "a\U0010fffebc"
