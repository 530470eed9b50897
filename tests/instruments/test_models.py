from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from miroir.instruments.models import Instrument, Item, Mirror
from miroir.instruments.services import instrument_create, item_create
from miroir.journeys.models import Moment


def _item(instrument, **overrides):
    fields = {
        "instrument": instrument,
        "code": "q1",
        "lens": "employee",
        "scale": "agree5",
        "text_fr": "Mon responsable m'écoute.",
        "dimension": "connexions",
    }
    fields.update(overrides)
    return Item(**fields)


def test_an_item_of_another_instruments_mirror_is_refused(instrument, mirror):
    other = instrument_create(actor=None, title_fr="Autre")
    item = _item(other, mirror=mirror)
    with pytest.raises(ValidationError) as caught:
        item.full_clean()
    assert "mirror" in caught.value.message_dict


def test_a_mirror_holds_at_most_one_item_per_lens(instrument, mirror):
    item_create(
        instrument=instrument,
        actor=None,
        code="ecoute-employee",
        lens="employee",
        scale="agree5",
        text_fr="Mon responsable m'écoute.",
        dimension="connexions",
        mirror=mirror,
    )
    second = _item(instrument, code="ecoute-employee-2", mirror=mirror)
    with pytest.raises(ValidationError) as caught:
        second.full_clean()
    assert "lens" in caught.value.message_dict
    # The database holds the rule too, for writes that skip validation.
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_items_of_different_lenses_share_a_mirror(instrument, mirror):
    for lens in ("customer", "employee", "management", "partner"):
        _item(instrument, code=f"q-{lens}", lens=lens, mirror=mirror).full_clean()
        _item(instrument, code=f"q-{lens}", lens=lens, mirror=mirror).save()
    assert mirror.items.count() == 4


def test_an_unknown_scale_is_refused_by_validation_and_by_the_database(instrument):
    with pytest.raises(ValidationError) as caught:
        _item(instrument, scale="nps11").full_clean()
    assert "scale" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(instrument, scale="nps11").save()


def test_options_belong_to_single_choice_items_only(instrument):
    options = [{"code": "a", "fr": "A", "en": "A"}, {"code": "b", "fr": "B", "en": "B"}]
    with pytest.raises(ValidationError) as caught:
        _item(instrument, options=options).full_clean()
    assert "options" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(instrument, options=options).save()


def test_a_single_choice_needs_at_least_two_options(instrument):
    item = _item(instrument, scale="single_choice", options=[{"code": "a", "fr": "A"}])
    with pytest.raises(ValidationError) as caught:
        item.full_clean()
    assert "at least 2 options" in caught.value.message_dict["options"][0]
    item.options.append({"code": "b", "fr": "B", "en": "B"})
    item.full_clean()


def test_free_text_length_is_capped_at_2000(instrument):
    with pytest.raises(ValidationError) as caught:
        _item(instrument, scale="free_text", max_length=2001).full_clean()
    assert "max_length" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(instrument, scale="free_text", max_length=2001).save()
    _item(instrument, scale="free_text", max_length=2000).full_clean()


def test_a_length_limit_on_a_scale_item_is_refused(instrument):
    with pytest.raises(ValidationError) as caught:
        _item(instrument, max_length=200).full_clean()
    assert "max_length" in caught.value.message_dict


def test_dont_know_only_on_the_agreement_scale(instrument):
    _item(instrument, allow_dont_know=True).full_clean()
    with pytest.raises(ValidationError) as caught:
        _item(instrument, scale="csat5", allow_dont_know=True).full_clean()
    assert "allow_dont_know" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(instrument, scale="csat5", allow_dont_know=True).save()


def test_an_unknown_dimension_is_refused(instrument):
    with pytest.raises(ValidationError) as caught:
        _item(instrument, dimension="bonheur").full_clean()
    assert "dimension" in caught.value.message_dict


def test_item_codes_are_unique_within_an_instrument_only(instrument):
    _item(instrument).save()
    with pytest.raises(ValidationError) as caught:
        _item(instrument).full_clean()
    assert "code" in caught.value.message_dict
    other = instrument_create(actor=None, title_fr="Autre")
    _item(other).full_clean()


def test_mirror_codes_are_unique_within_an_instrument(instrument, mirror):
    with pytest.raises(ValidationError) as caught:
        Mirror(instrument=instrument, code=mirror.code, title_fr="Doublon").full_clean()
    assert "code" in caught.value.message_dict


def test_texts_and_titles_fall_back_to_french(instrument):
    item = _item(instrument, text_en="My manager listens to me.")
    assert item.text("en") == "My manager listens to me."
    assert item.text("fr") == "Mon responsable m'écoute."
    assert _item(instrument).text("en") == "Mon responsable m'écoute."
    assert instrument.title("en") == "Test pulse"
    assert Instrument(title_fr="Seulement en français").title("en") == "Seulement en français"


def test_an_item_carries_a_journey_moment(instrument):
    moment = Moment.objects.get(code="checkout")
    item = _item(instrument, lens="customer", dimension="waiting", moment=moment)
    item.full_clean()
    item.save()
    assert moment.items.get() == item


def test_the_item_scale_is_bound_to_its_settings(instrument):
    item = _item(instrument, scale="free_text", max_length=20)
    assert item.get_scale().max_length == 20
    item = _item(instrument, allow_dont_know=True)
    assert item.get_scale().validate("dont_know") is None
