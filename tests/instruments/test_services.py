from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from miroir.audit.models import AuditEntry
from miroir.instruments.models import Instrument
from miroir.instruments.services import (
    InstrumentLockedError,
    instrument_create,
    instrument_duplicate,
    instrument_lock,
    instrument_update,
    item_create,
    item_delete,
    item_move,
    item_update,
    mirror_create,
)


def _add(instrument, code, *, lens="employee", mirror=None, **extra):
    fields = {"scale": "agree5", "text_fr": f"Question {code}", "dimension": "sens"}
    fields.update(extra)
    return item_create(
        instrument=instrument, actor=None, code=code, lens=lens, mirror=mirror, **fields
    )


def test_creating_an_instrument_makes_a_unique_slug_from_the_title(db):
    first = instrument_create(actor=None, title_fr="Baromètre d'été")
    second = instrument_create(actor=None, title_fr="Baromètre d'été")
    assert first.slug == "barometre-dete"
    assert second.slug == "barometre-dete-2"
    assert (first.version, first.family) == (1, first.slug)


def test_writes_are_audited_with_their_actor(personas, instrument):
    item = _add(instrument, "q1")
    item_update(
        item=item,
        actor=personas.admin,
        code="q1",
        lens="employee",
        scale="csat5",
        text_fr="Satisfait ?",
        dimension="sens",
    )
    entry = AuditEntry.objects.get(action="item.update")
    assert entry.actor == personas.admin
    assert entry.target == f"instrument:{instrument.pk}"


def test_new_items_go_after_the_others_and_free_text_gets_the_default_limit(instrument):
    first = _add(instrument, "q1")
    second = _add(instrument, "q2", scale="free_text")
    assert second.order == first.order + 1
    assert second.max_length == 1000


def test_moving_an_item_swaps_it_with_its_neighbour(instrument):
    a, b, c = (_add(instrument, code) for code in ("a", "b", "c"))
    item_move(item=c, actor=None, direction="up")
    assert list(instrument.items.values_list("code", flat=True)) == ["a", "c", "b"]
    item_move(item=a, actor=None, direction="up")  # already first: nothing moves
    item_move(item=a, actor=None, direction="down")
    assert list(instrument.items.values_list("code", flat=True)) == ["c", "a", "b"]
    with pytest.raises(ValidationError):
        item_move(item=b, actor=None, direction="sideways")


def test_moving_repairs_tied_orders(instrument):
    *_, c = (_add(instrument, code) for code in ("a", "b", "c"))
    instrument.items.update(order=1)
    item_move(item=c, actor=None, direction="up")
    assert list(instrument.items.values_list("code", "order")) == [("a", 1), ("c", 2), ("b", 3)]


def test_a_locked_instrument_refuses_every_change(instrument, mirror):
    item = _add(instrument, "q1", mirror=mirror)
    instrument_lock(instrument=instrument, actor=None)
    attempts = [
        lambda: instrument_update(instrument=instrument, actor=None, title_fr="Nouveau"),
        lambda: _add(instrument, "q2"),
        lambda: item_delete(item=item, actor=None),
        lambda: item_move(item=item, actor=None, direction="down"),
        lambda: mirror_create(instrument=instrument, actor=None, code="m2", title_fr="M2"),
        lambda: item_update(
            item=item, actor=None, code="q1", lens="employee", scale="agree5",
            text_fr="Changé", dimension="sens",
        ),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(InstrumentLockedError):
            attempt()
    instrument.refresh_from_db()
    assert instrument.title_fr == "Pulse de test"
    assert list(instrument.items.values_list("code", "text_fr")) == [("q1", "Question q1")]


def test_locking_twice_keeps_the_first_date(instrument):
    first = instrument_lock(instrument=instrument, actor=None).locked_at
    assert instrument_lock(instrument=instrument, actor=None).locked_at == first
    assert AuditEntry.objects.filter(action="instrument.lock").count() == 1


def test_duplicating_copies_mirrors_and_items_into_a_new_unlocked_version(instrument, mirror):
    _add(instrument, "ecoute-employee", mirror=mirror)
    _add(instrument, "ecoute-customer", lens="customer", mirror=mirror, dimension="listening")
    _add(instrument, "libre", scale="free_text", max_length=300)
    instrument_lock(instrument=instrument, actor=None)

    copy = instrument_duplicate(instrument=instrument, actor=None)

    assert (copy.version, copy.family, copy.previous_version) == (2, instrument.family, instrument)
    assert copy.slug == f"{instrument.family}-v2"
    assert not copy.is_locked
    copied_mirror = copy.mirrors.get()
    assert copied_mirror.pk != mirror.pk and copied_mirror.code == "ecoute"
    assert set(copied_mirror.items.values_list("code", flat=True)) == {
        "ecoute-employee",
        "ecoute-customer",
    }
    assert copy.items.get(code="libre").max_length == 300
    # The original is untouched.
    assert instrument.items.count() == 3 and mirror.items.count() == 2


def test_versions_keep_counting_in_the_family(instrument):
    second = instrument_duplicate(instrument=instrument, actor=None)
    third = instrument_duplicate(instrument=instrument, actor=None)
    assert [second.version, third.version] == [2, 3]
    assert Instrument.objects.filter(family=instrument.family).count() == 3


def test_service_validation_errors_name_the_field(instrument):
    with pytest.raises(ValidationError) as caught:
        _add(instrument, "q1", scale="single_choice", options=[{"code": "a", "fr": "A"}])
    assert "options" in caught.value.message_dict
    assert not instrument.items.exists()
