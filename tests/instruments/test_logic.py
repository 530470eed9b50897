"""Survey logic: display conditions and "end the survey", checked wherever they are written."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja.testing import TestClient

from miroir.instruments.api import router
from miroir.instruments.catalogs import CatalogError, catalog_export, catalog_import, catalog_parse
from miroir.instruments.logic import LogicItem, Route, answer_key, items_asked, logic_check
from miroir.instruments.models import Instrument, Item
from miroir.instruments.scales import scale_get
from miroir.instruments.services import (
    instrument_duplicate,
    item_create,
    item_delete,
    item_move,
    item_update,
)
from tests.personas import PASSWORD


def _logic_item(code, scale="agree5", lens="employee", **rules):
    return LogicItem(
        code=code,
        lens=lens,
        scale=scale_get(scale, allow_dont_know=True) if scale == "agree5" else scale_get(scale),
        **rules,
    )


def _messages(checked):
    return [(p.index, p.where, p.message % p.params) for p in checked.problems]


# The rules themselves ------------------------------------------------------------------------


def test_answers_are_written_as_the_keys_the_pages_post():
    assert [answer_key(v) for v in (4, 4.0, None, "reassured", 0)] == [
        "4",
        "4",
        "dont_know",
        "reassured",
        "0",
    ]


def test_conditions_are_canonical_keys_of_the_named_item():
    checked = logic_check(
        [
            _logic_item("manager", scale="yes_no"),
            _logic_item("enps", scale="nps"),
            _logic_item(
                "why",
                show_when=[
                    {"item": "manager", "in": ["yes", 1]},
                    {"item": "enps", "in": [0, "6", 6]},
                ],
            ),
            _logic_item("mood", end_when=["5", 5, "dont_know"]),
        ]
    )
    assert checked.problems == []
    assert checked.show_when[2] == [
        {"item": "manager", "in": ["1"]},
        {"item": "enps", "in": ["0", "6"]},
    ]
    assert checked.end_when[3] == ["5", "dont_know"]


def test_a_condition_on_a_later_question_is_refused_naming_both():
    checked = logic_check(
        [
            _logic_item("first", show_when=[{"item": "second", "in": ["1"]}]),
            _logic_item("second"),
        ]
    )
    assert _messages(checked) == [
        (
            0,
            "show_when[0].item",
            "“second” is not a question before “first”: a condition can only refer to an "
            "earlier question",
        )
    ]


def test_a_question_cannot_depend_on_itself():
    checked = logic_check([_logic_item("self", show_when=[{"item": "self", "in": ["1"]}])])
    assert [p.where for p in checked.problems] == ["show_when[0].item"]


@pytest.mark.parametrize(
    ("items", "where", "message"),
    [
        (
            [
                _logic_item("a", lens="customer"),
                _logic_item("b", show_when=[{"item": "a", "in": ["1"]}]),
            ],
            "show_when[0].item",
            "“a” is asked through the lens “customer”, not “employee”: "
            "it is never in the same survey",
        ),
        (
            [
                _logic_item("a", scale="free_text"),
                _logic_item("b", show_when=[{"item": "a", "in": ["x"]}]),
            ],
            "show_when[0].item",
            "“a” is not answered by a choice: a condition needs one",
        ),
        (
            [_logic_item("a"), _logic_item("b", show_when=[{"item": "a", "in": ["6"]}])],
            "show_when[0].in[0]",
            "“6” is not an answer of “a” (1, 2, 3, 4, 5, dont_know)",
        ),
        (
            [_logic_item("a"), _logic_item("b", show_when=[{"item": "a", "in": []}])],
            "show_when[0].in",
            "expected a list of answers",
        ),
        (
            [
                _logic_item("a"),
                _logic_item("b", show_when=[{"item": "a", "in": ["1"], "values": ["1"]}]),
            ],
            "show_when[0]",
            "unknown key “values”",
        ),
        (
            [_logic_item("a", scale="free_text", end_when=["fin"])],
            "end_when",
            "only a question answered by a choice can end the survey",
        ),
        (
            [_logic_item("a", scale="nps", end_when=[True])],
            "end_when[0]",
            "“True” is not an answer of “a” (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
        ),
    ],
)
def test_each_wrong_rule_is_named_with_its_path(items, where, message):
    checked = logic_check(items)
    assert [(p.where, p.message % p.params) for p in checked.problems] == [(where, message)]


class _Item:
    def __init__(self, code, show_when=(), end_when=()):
        self.code, self.show_when, self.end_when = code, list(show_when), list(end_when)


def test_a_route_asks_what_the_answers_before_open_and_stops_at_an_end():
    items = [
        _Item("works_here", end_when=["0"]),
        _Item("manager", show_when=[{"item": "works_here", "in": ["1"]}]),
        _Item("why", show_when=[{"item": "manager", "in": ["1", "2"]}]),
        _Item("last"),
    ]
    assert items_asked(items, {"works_here": "1", "manager": "4"}) == [
        "works_here",
        "manager",
        "last",
    ]
    assert items_asked(items, {"works_here": "1", "manager": "2"}) == [
        "works_here",
        "manager",
        "why",
        "last",
    ]
    # Skip to the end: nothing after the ending answer is asked, whatever was posted.
    assert items_asked(items, {"works_here": "0", "manager": "1"}) == ["works_here"]
    # An earlier question left unanswered opens nothing that depends on it.
    assert items_asked(items, {"works_here": "1"}) == ["works_here", "manager", "last"]


def test_a_condition_on_a_question_not_asked_does_not_hold():
    route = Route()
    first = _Item("a", end_when=["1"])
    second = _Item("b")
    third = _Item("c", show_when=[{"item": "b", "in": ["3"]}])
    assert route.asks(first)
    route.answered(first, "1")
    assert not route.asks(second) and not route.asks(third)


# Stored on the items, kept right by the editor's services -------------------------------------


@pytest.fixture
def logic_items(instrument) -> dict[str, Item]:
    common = {"instrument": instrument, "actor": None, "lens": "employee", "dimension": "sens"}
    return {
        "manager": item_create(
            code="manager",
            scale="yes_no",
            text_fr="Avez-vous un responsable ?",
            end_when=["0"],
            **common,
        ),
        "ecoute": item_create(
            code="ecoute",
            scale="agree5",
            text_fr="Il vous écoute.",
            show_when=[{"item": "manager", "in": ["yes"]}],
            **common,
        ),
        "idee": item_create(
            code="idee", scale="free_text", text_fr="Une idée ?", required=False, **common
        ),
    }


def test_the_editor_stores_conditions_in_canonical_form(logic_items):
    logic_items["ecoute"].refresh_from_db()
    assert logic_items["ecoute"].show_when == [{"item": "manager", "in": ["1"]}]
    assert logic_items["manager"].end_when == ["0"]


def test_creating_a_condition_on_a_later_question_is_refused_and_leaves_nothing(instrument):
    with pytest.raises(ValidationError) as caught:
        item_create(
            instrument=instrument,
            actor=None,
            code="a",
            lens="employee",
            scale="agree5",
            text_fr="A",
            dimension="sens",
            show_when=[{"item": "b", "in": ["1"]}],
        )
    assert "show_when" in caught.value.message_dict
    assert "“b” is not a question before “a”" in caught.value.message_dict["show_when"][0]
    assert not Item.objects.exists()


def test_moving_a_question_above_the_one_it_depends_on_is_refused(logic_items):
    with pytest.raises(ValidationError) as caught:
        item_move(item=logic_items["ecoute"], actor=None, direction="up")
    assert "Question “ecoute”:" in caught.value.messages[0]
    orders = dict(Item.objects.values_list("code", "order"))
    assert orders["manager"] < orders["ecoute"]


def test_deleting_a_question_another_depends_on_is_refused(logic_items):
    with pytest.raises(ValidationError) as caught:
        item_delete(item=logic_items["manager"], actor=None)
    assert "Question “ecoute”:" in caught.value.messages[0]
    assert Item.objects.filter(code="manager").exists()


def test_renaming_a_question_carries_its_new_code_into_the_conditions(logic_items):
    manager = logic_items["manager"]
    item_update(
        item=manager,
        actor=None,
        code="has-manager",
        lens="employee",
        scale="yes_no",
        text_fr=manager.text_fr,
        dimension="sens",
        end_when=["0"],
    )
    assert Item.objects.get(code="ecoute").show_when == [{"item": "has-manager", "in": ["1"]}]


def test_changing_a_scale_that_breaks_a_condition_is_refused(logic_items):
    manager = logic_items["manager"]
    with pytest.raises(ValidationError) as caught:
        item_update(
            item=manager,
            actor=None,
            code="manager",
            lens="employee",
            scale="free_text",
            text_fr=manager.text_fr,
            dimension="sens",
        )
    assert "Question “ecoute”:" in " ".join(caught.value.messages)
    assert Item.objects.get(code="manager").scale == "yes_no"


def test_a_new_version_keeps_the_logic(logic_items, instrument):
    copy = instrument_duplicate(instrument=instrument, actor=None)
    assert copy.items.get(code="ecoute").show_when == [{"item": "manager", "in": ["1"]}]
    assert copy.items.get(code="manager").end_when == ["0"]


# Catalogs and the API ----------------------------------------------------------------------


def _catalog_with_logic():
    return {
        "slug": "logique",
        "title": {"fr": "Logique"},
        "items": [
            {
                "code": "client",
                "lens": "customer",
                "scale": "yes_no",
                "text": {"fr": "Client ?"},
                "dimension": "overall",
                "end_when": ["no"],
            },
            {
                "code": "note",
                "lens": "customer",
                "scale": "nps",
                "text": {"fr": "Note ?"},
                "dimension": "overall",
            },
            {
                "code": "pourquoi",
                "lens": "customer",
                "scale": "single_choice",
                "text": {"fr": "Pourquoi ?"},
                "dimension": "overall",
                "options": [
                    {"code": "prix", "fr": "Le prix"},
                    {"code": "accueil", "fr": "L'accueil"},
                ],
                "show_when": [{"item": "note", "in": [0, 1, 2, 3, 4, 5, 6]}],
            },
            {
                "code": "rappel",
                "lens": "customer",
                "scale": "yes_no",
                "text": {"fr": "Rappel ?"},
                "dimension": "overall",
                "show_when": [
                    {"item": "note", "in": ["0", "1"]},
                    {"item": "pourquoi", "in": ["prix"]},
                ],
            },
        ],
    }


def test_a_catalog_with_logic_round_trips(db):
    first = catalog_export(catalog_import(spec=catalog_parse(_catalog_with_logic()), actor=None))
    items = {item["code"]: item for item in first["items"]}
    assert items["client"]["end_when"] == ["0"]
    assert items["pourquoi"]["show_when"] == [
        {"item": "note", "in": ["0", "1", "2", "3", "4", "5", "6"]}
    ]
    assert "show_when" not in items["note"] and "end_when" not in items["note"]
    Instrument.objects.all().delete()
    second = catalog_export(catalog_import(spec=catalog_parse(first), actor=None))
    assert second == first
    assert json.loads(json.dumps(first)) == first


def test_catalog_logic_problems_are_reported_with_their_path(db):
    data = _catalog_with_logic()
    data["items"][1]["show_when"] = [{"item": "rappel", "in": ["1"]}]
    data["items"][2]["show_when"][0]["in"] = ["11"]
    data["items"][3]["end_when"] = "1"
    with pytest.raises(CatalogError) as caught:
        catalog_parse(data)
    assert caught.value.errors == [
        "items[1].show_when[0].item: “rappel” is not a question before “note”: a condition "
        "can only refer to an earlier question",
        "items[2].show_when[0].in[0]: “11” is not an answer of “note” "
        "(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
        "items[3].end_when: expected a list of answers",
    ]


@pytest.mark.parametrize(
    "rules",
    [
        {"show_when": {"item": "client"}},
        {"show_when": [[1]]},
        {"end_when": {"a": 1}},
        {"show_when": [{"item": ["x"], "in": [{}]}]},
        {"show_when": [{"item": "client", "in": [[1]]}]},
    ],
)
def test_odd_shapes_of_rules_are_refused_not_crashed_on(db, rules):
    data = _catalog_with_logic()
    data["items"][1].update(rules)
    with pytest.raises(CatalogError) as caught:
        catalog_parse(data)
    assert all(error.startswith("items[1].") for error in caught.value.errors)


def test_the_api_gives_each_items_conditions(personas):
    instrument = catalog_import(spec=catalog_parse(_catalog_with_logic()), actor=None)
    response = TestClient(router).get(f"/{instrument.pk}", user=personas.direction)
    assert response.status_code == 200
    items = {item["code"]: item for item in response.json()["items"]}
    assert items["rappel"]["show_when"] == [
        {"item": "note", "in": ["0", "1"]},
        {"item": "pourquoi", "in": ["prix"]},
    ]
    assert items["client"]["end_when"] == ["0"] and items["note"]["show_when"] == []


# The editor's pages --------------------------------------------------------------------------


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_the_editor_writes_conditions_one_per_line_and_shows_them(client, personas, logic_items):
    _login(client, personas.direction)
    instrument = logic_items["manager"].instrument
    sent = client.post(
        reverse("instruments:item_create", args=[instrument.pk]),
        {
            "code": "suite",
            "lens": "employee",
            "scale": "agree5",
            "text_fr": "Et après ?",
            "dimension": "sens",
            "required": "on",
            "show_when": "manager: yes\necoute: 4, 5",
            "end_when": "1",
        },
    )
    assert sent.status_code == 302
    item = Item.objects.get(code="suite")
    assert item.show_when == [
        {"item": "manager", "in": ["1"]},
        {"item": "ecoute", "in": ["4", "5"]},
    ]
    assert item.end_when == ["1"]
    detail = client.get(reverse("instruments:detail", args=[instrument.pk])).content.decode()
    assert "asked only when manager: 1 · ecoute: 4, 5" in detail
    edit = client.get(reverse("instruments:item_edit", args=[instrument.pk, item.pk]))
    assert "manager: 1\necoute: 4, 5</textarea>" in edit.content.decode()


@pytest.mark.parametrize(
    ("show_when", "message"),
    [
        ("manager yes", "Line 1: write the code of a question, a colon, then its answers."),
        ("idee: x", "“idee” is not answered by a choice: a condition needs one"),
        ("later: 1", "“later” is not a question before “suite”"),
    ],
)
def test_the_editor_names_a_wrong_condition_next_to_its_field(
    client, personas, logic_items, show_when, message
):
    _login(client, personas.direction)
    instrument = logic_items["manager"].instrument
    page = client.post(
        reverse("instruments:item_create", args=[instrument.pk]),
        {
            "code": "suite",
            "lens": "employee",
            "scale": "agree5",
            "text_fr": "Et après ?",
            "dimension": "sens",
            "required": "on",
            "show_when": show_when,
        },
    )
    assert page.status_code == 200
    assert message in page.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Item.objects.filter(code="suite").exists()


def test_deleting_a_question_named_by_a_condition_says_which_and_keeps_it(
    client, personas, logic_items
):
    _login(client, personas.direction)
    manager = logic_items["manager"]
    url = reverse("instruments:item_delete", args=[manager.instrument.pk, manager.pk])
    page = client.post(url, follow=True)
    assert "Question “ecoute”" in page.content.decode()
    assert Item.objects.filter(pk=manager.pk).exists()


def test_the_preview_checks_only_the_questions_asked(client, personas, logic_items):
    _login(client, personas.shop_manager)
    instrument = logic_items["manager"].instrument
    url = reverse("instruments:preview", args=[instrument.pk])
    # "No manager" ends the survey: the required "ecoute" left blank is no error.
    page = client.get(url, {"lens": "employee", "lang": "en", "check": "1", "q-manager": "0"})
    html = page.content.decode()
    assert "Every answer is valid." in html
    assert "After these answers, 2 questions are not asked." in html
    page = client.get(url, {"lens": "employee", "lang": "en", "check": "1", "q-manager": "1"})
    assert "1 answer needs your attention." in page.content.decode()
