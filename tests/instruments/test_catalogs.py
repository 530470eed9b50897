from __future__ import annotations

import copy
import json
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from miroir.instruments.catalogs import (
    ITEM_KEYS,
    TOP_KEYS,
    CatalogError,
    catalog_decode,
    catalog_export,
    catalog_import,
    catalog_load,
    catalog_names,
    catalog_parse,
    catalog_read,
)
from miroir.instruments.dimensions import EMPLOYEE_EXPERIENCE
from miroir.instruments.models import Instrument
from miroir.instruments.selectors import mirror_side_by_side
from miroir.instruments.services import instrument_lock

BUNDLED = ["barometre-service", "engagement", "proximite-manager", "pulse-miroir"]


def _lenses_by_mirror(instrument):
    lenses = defaultdict(dict)
    for item in instrument.items.select_related("mirror"):
        if item.mirror:
            lenses[item.mirror.code][item.lens] = item
    return lenses


def test_the_four_catalogs_are_bundled():
    assert catalog_names() == BUNDLED


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_catalog_loads_with_every_text_in_both_languages(db, name):
    instrument = catalog_load(name=name, actor=None)
    assert instrument.source == name and instrument.slug == name
    assert instrument.title_fr and instrument.title_en
    assert instrument.description_fr and instrument.description_en
    for mirror in instrument.mirrors.all():
        assert mirror.title_fr and mirror.title_en, mirror.code
    for item in instrument.items.all():
        assert item.text_fr and item.text_en, item.code
        assert item.text_fr != item.text_en, item.code
        for option in item.options:
            assert option["fr"] and option["en"], item.code


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_files_are_written_exactly_as_miroir_exports_them(db, name):
    instrument = catalog_load(name=name, actor=None)
    assert catalog_export(instrument) == catalog_read(name)


def test_the_mirrored_pulse_has_about_twelve_mirrors_over_the_five_dimensions(db):
    pulse = catalog_load(name="pulse-miroir", actor=None)
    mirrors = list(pulse.mirrors.all())
    assert 10 <= len(mirrors) <= 14
    assert {mirror.dimension for mirror in mirrors} == set(EMPLOYEE_EXPERIENCE)
    lenses = _lenses_by_mirror(pulse)
    for mirror in mirrors:
        assert {"employee", "management"} <= set(lenses[mirror.code]), mirror.code
    with_customer_twin = [code for code, by_lens in lenses.items() if "customer" in by_lens]
    with_partner = [code for code, by_lens in lenses.items() if "partner" in by_lens]
    assert len(with_customer_twin) == len(mirrors)
    assert len(with_partner) >= 8
    customer_dimensions = {
        item.dimension for item in pulse.items.filter(lens="customer", mirror__isnull=False)
    }
    assert {"welcome", "listening", "problem_solving", "waiting"} <= customer_dimensions


def test_the_pulse_has_the_listened_to_mirror_of_the_design(db):
    pulse = catalog_load(name="pulse-miroir", actor=None)
    row = next(r for r in mirror_side_by_side(pulse) if r.mirror.code == "ecoute")
    assert "écouté" in row.items["customer"].text_fr
    assert "m'écoute" in row.items["employee"].text_fr
    assert "écoutés" in row.items["management"].text_fr


def test_the_barometer_asks_thirteen_attitudes_in_the_same_words_to_both_sides(db):
    barometer = catalog_load(name="barometre-service", actor=None)
    lenses = _lenses_by_mirror(barometer)
    assert barometer.mirrors.count() == 13 == len(lenses)
    for code, by_lens in lenses.items():
        assert set(by_lens) == {"customer", "employee"}, code
        customer, employee = by_lens["customer"], by_lens["employee"]
        assert customer.text_fr == employee.text_fr and customer.text_en == employee.text_en
        assert customer.scale == employee.scale == "agree5"
    texts = set(barometer.items.values_list("text_fr", flat=True))
    assert (
        "Les suggestions des équipes au contact du client pour améliorer le service sont "
        "écoutées et appliquées." in texts
    )
    assert "Une forte attention est prêtée aux réclamations et avis des clients." in texts


def test_proximity_is_answered_by_shop_managers_and_estimated_by_regional_managers(db):
    proximity = catalog_load(name="proximite-manager", actor=None)
    lenses = _lenses_by_mirror(proximity)
    assert set(proximity.items.values_list("lens", flat=True)) == {"employee", "management"}
    for code, by_lens in lenses.items():
        assert set(by_lens) == {"employee", "management"}, code
    assert {"frequence", "qualite", "equipe", "distance", "soutien"} <= set(lenses)
    assert set(proximity.items.values_list("dimension", flat=True)) == {"proximity"}
    pace = lenses["rythme"]["employee"]
    assert pace.scale == "single_choice" and len(pace.options) >= 3


def test_engagement_puts_enps_next_to_the_customers_nps_and_satisfaction(db):
    engagement = catalog_load(name="engagement", actor=None)
    lenses = _lenses_by_mirror(engagement)
    recommendation = lenses["recommandation"]
    assert recommendation["employee"].scale == recommendation["customer"].scale == "nps"
    satisfaction = lenses["satisfaction"]
    assert satisfaction["customer"].scale == satisfaction["employee"].scale == "csat5"
    free_text = engagement.items.filter(scale="free_text")
    assert {"customer", "employee", "partner"} <= set(free_text.values_list("lens", flat=True))
    assert not free_text.filter(required=True).exists()


def _minimal():
    return {
        "slug": "mini",
        "title": {"fr": "Mini"},
        "mirrors": [{"code": "m", "title": {"fr": "M"}}],
        "items": [
            {"code": "a", "lens": "employee", "scale": "agree5", "text": {"fr": "A"},
             "dimension": "sens", "mirror": "m"},
            {"code": "b", "lens": "customer", "scale": "csat5", "text": {"fr": "B"},
             "dimension": "welcome", "mirror": "m", "moment": "arrival"},
            {"code": "c", "lens": "customer", "scale": "free_text", "text": {"fr": "C"},
             "dimension": "overall", "required": False},
            {"code": "d", "lens": "employee", "scale": "nps", "text": {"fr": "D"},
             "dimension": "engagement"},
        ],
    }  # fmt: skip


def test_a_hand_written_catalog_may_leave_out_defaults(db):
    spec = catalog_parse(_minimal())
    assert spec.kind == "custom" and spec.version == 1
    assert spec.items[2].max_length == 1000 and spec.items[0].required


def test_an_unknown_scale_is_reported_with_its_path(db):
    data = _minimal()
    data["items"][3]["scale"] = "nps11"
    with pytest.raises(CatalogError) as caught:
        catalog_parse(data)
    assert caught.value.errors == ["items[3].scale: unknown scale “nps11”"]


def test_every_problem_is_listed_with_its_path(db):
    data = _minimal()
    data["kind"] = "quiz"
    data["title"] = {"en": "No French"}
    data["mirrors"].append({"code": "m", "title": {"fr": "Twice"}, "dimension": "joy"})
    data["items"][0]["lens"] = "boss"
    data["items"][1]["mirror"] = "nowhere"
    data["items"][1]["moment"] = "teleport"
    data["items"][2]["max_length"] = 5000
    data["items"][3]["options"] = [{"code": "x", "fr": "X"}]
    data["items"].append(dict(data["items"][0], code="a", lens="employee", colour="red"))
    with pytest.raises(CatalogError) as caught:
        catalog_parse(data)
    paths = {error.split(":")[0] for error in caught.value.errors}
    assert paths == {
        "kind",
        "title.fr",
        "mirrors[1].code",
        "mirrors[1].dimension",
        "items[0].lens",
        "items[1].mirror",
        "items[1].moment",
        "items[2].max_length",
        "items[3].options",
        "items[4]",
        "items[4].code",
    }


def test_two_items_of_one_lens_in_a_mirror_are_refused_naming_the_first(db):
    data = _minimal()
    data["items"][3]["mirror"] = "m"
    with pytest.raises(CatalogError) as caught:
        catalog_parse(data)
    assert caught.value.errors == [
        "items[3].mirror: mirror “m” already has an item for the lens “employee” (items[0])"
    ]


def test_single_choice_option_problems_point_into_the_list(db):
    data = _minimal()
    data["items"][3].update(
        scale="single_choice", options=[{"code": "x", "fr": "X"}, {"code": "x", "fr": ""}]
    )
    with pytest.raises(CatalogError) as caught:
        catalog_parse(data)
    assert [e.split(":")[0] for e in caught.value.errors] == [
        "items[3].options[1].code",
        "items[3].options[1].fr",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"slug": ', "line 1"),
        (b"\xff\xfe", "UTF-8"),
        (b"[1, 2]", "catalog: expected an object"),
    ],
)
def test_unreadable_files_are_reported(db, raw, expected):
    with pytest.raises(CatalogError) as caught:
        catalog_parse(catalog_decode(raw))
    assert expected in caught.value.errors[0]


def test_export_then_import_into_an_empty_database_gives_the_same_document(db):
    data = _minimal()
    data["items"][3] = {
        "code": "d", "lens": "partner", "scale": "single_choice", "text": {"fr": "D", "en": "D"},
        "dimension": "ecosysteme", "options": [{"code": "x", "fr": "X", "en": "Ex"},
                                               {"code": "y", "fr": "Y", "en": ""}],
    }  # fmt: skip
    first = catalog_export(catalog_import(spec=catalog_parse(data), actor=None))
    Instrument.objects.all().delete()
    second = catalog_export(catalog_import(spec=catalog_parse(first), actor=None))
    assert second == first
    assert json.loads(json.dumps(first)) == first


def test_importing_an_existing_slug_needs_replace(db):
    catalog_import(spec=catalog_parse(_minimal()), actor=None)
    with pytest.raises(CatalogError) as caught:
        catalog_import(spec=catalog_parse(_minimal()), actor=None)
    assert caught.value.errors[0].startswith("slug: ")
    assert Instrument.objects.count() == 1


def test_replace_rewrites_an_unlocked_instrument_in_place(db):
    original = catalog_import(spec=catalog_parse(_minimal()), actor=None)
    changed = _minimal()
    changed["items"] = changed["items"][:1]
    changed["items"][0]["text"] = {"fr": "Nouveau texte"}
    replaced = catalog_import(spec=catalog_parse(changed), actor=None, replace=True)
    assert replaced.pk == original.pk
    assert list(replaced.items.values_list("text_fr", flat=True)) == ["Nouveau texte"]


def test_replace_on_a_locked_instrument_creates_a_new_version(db):
    original = catalog_import(spec=catalog_parse(_minimal()), actor=None)
    instrument_lock(instrument=original, actor=None)
    changed = _minimal()
    changed["items"][0]["text"] = {"fr": "Nouveau texte"}
    version = catalog_import(spec=catalog_parse(changed), actor=None, replace=True)
    assert (version.slug, version.version, version.previous_version) == ("mini-v2", 2, original)
    assert original.items.get(code="a").text_fr == "A"
    assert version.items.get(code="a").text_fr == "Nouveau texte"
    # Once that version is itself locked, the next import makes a third one.
    instrument_lock(instrument=version, actor=None)
    third = catalog_import(spec=catalog_parse(changed), actor=None, replace=True)
    assert (third.slug, third.version) == ("mini-v3", 3)


def test_a_failed_import_leaves_nothing_behind(db):
    data = copy.deepcopy(_minimal())
    spec = catalog_parse(data)
    spec.items[1].moment = "deleted-since-parsing"
    with pytest.raises(CatalogError, match=r"items\[1\]\.moment"):
        catalog_import(spec=spec, actor=None)
    assert not Instrument.objects.exists()


def test_cli_loads_every_bundled_catalog_and_exports_one(db, tmp_path, capsys):
    call_command("catalog_load", "--all")
    assert set(Instrument.objects.values_list("slug", flat=True)) == set(BUNDLED)
    target = tmp_path / "barometre.json"
    call_command("catalog_export", "barometre-service", "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == catalog_read("barometre-service")


def test_cli_loads_a_file_and_reports_its_problems_with_paths(db, tmp_path):
    good = tmp_path / "mini.json"
    good.write_text(json.dumps(_minimal()), encoding="utf-8")
    call_command("catalog_load", "--file", str(good))
    assert Instrument.objects.get(slug="mini").source == "mini"
    bad = _minimal()
    bad["items"][0]["scale"] = "nps11"
    bad_file = tmp_path / "bad.json"
    bad_file.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError, match=r"items\[0\]\.scale: unknown scale"):
        call_command("catalog_load", "--file", str(bad_file))


def test_cli_refuses_an_unknown_catalog_name(db):
    with pytest.raises(CommandError, match="unknown catalog"):
        call_command("catalog_load", "nope")
    with pytest.raises(CommandError, match="No questionnaire"):
        call_command("catalog_export", "nope")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@given(key=st.sampled_from(sorted(ITEM_KEYS)), value=JSON_VALUES, index=st.integers(0, 3))
@settings(max_examples=300, deadline=None)
def test_any_json_value_in_an_item_gives_a_catalog_error_or_a_spec(key, value, index):
    data = _minimal()
    data["items"][index][key] = value
    try:
        spec = catalog_parse(data, known_moments={"arrival"})
    except CatalogError as error:
        # Usually the changed item; a changed lens may clash with another item of the mirror.
        assert all(e.startswith("items[") for e in error.errors), error.errors
    else:
        assert len(spec.items) == 4


@given(key=st.sampled_from(sorted(TOP_KEYS)), value=JSON_VALUES)
@settings(max_examples=200, deadline=None)
def test_any_json_value_at_the_top_gives_a_catalog_error_or_a_spec(key, value):
    data = _minimal()
    data[key] = value
    try:
        catalog_parse(data, known_moments={"arrival"})
    except CatalogError as error:
        assert error.errors
