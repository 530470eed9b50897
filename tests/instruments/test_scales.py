from __future__ import annotations

import pytest

from miroir.instruments.scales import (
    DONT_KNOW,
    EMOTIONS,
    FREE_TEXT_DEFAULT_LENGTH,
    EmotionScale,
    NpsScale,
    ScaleValueError,
    SingleChoiceScale,
    is_blank,
    scale_codes,
    scale_get,
)


def test_the_registry_holds_every_scale_the_issue_lists():
    assert set(scale_codes()) == {
        "nps",
        "agree5",
        "csat5",
        "ces7",
        "ces5",
        "emotion",
        "yes_no",
        "single_choice",
        "free_text",
    }


def test_an_unknown_scale_is_refused_with_the_list_of_known_ones():
    with pytest.raises(ValueError, match=r'unknown scale "nps11".*agree5'):
        scale_get("nps11")


@pytest.mark.parametrize(("raw", "value"), [(0, 0), (10, 10), ("7", 7), (" 9 ", 9), ("08", 8)])
def test_nps_accepts_whole_numbers_from_0_to_10(raw, value):
    assert scale_get("nps").validate(raw) == value


@pytest.mark.parametrize("raw", ["7.5", 7.5, 7.0, "11", 11, -1, "-1", True, False, "dix", "٣"])
def test_nps_refuses_anything_but_a_whole_number_from_0_to_10(raw):
    with pytest.raises(ScaleValueError) as caught:
        scale_get("nps").validate(raw)
    message = str(caught.value)
    assert message.startswith("nps:")
    assert "from 0 to 10" in message


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_a_blank_answer_is_refused_as_blank(raw):
    assert is_blank(raw)
    with pytest.raises(ScaleValueError) as caught:
        scale_get("csat5").validate(raw)
    assert caught.value.reason == "blank"


@pytest.mark.parametrize(
    ("value", "bucket"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"),
     (10, "promoter"), (None, None)],
)  # fmt: skip
def test_nps_buckets(value, bucket):
    assert NpsScale.bucket(value) == bucket


def test_nps_top_box_is_the_promoters_and_it_has_no_top_two_rule():
    nps = scale_get("nps")
    assert [nps.top_box(v) for v in (8, 9, 10)] == [False, True, True]
    assert nps.top2_box(9) is None


def test_nps_offers_eleven_points_with_words_at_both_ends():
    nps = scale_get("nps")
    assert [value for value, _label in nps.options("fr")] == list(range(11))
    low, high = nps.anchors("en")
    assert "not at all likely" in low and "extremely likely" in high


def test_agreement_labels_run_from_pas_du_tout_to_tout_a_fait_d_accord():
    options = scale_get("agree5").options("fr")
    assert options[0] == (1, "Pas du tout d'accord")
    assert options[-1] == (5, "Tout à fait d'accord")
    assert scale_get("agree5").options("en")[-1] == (5, "Strongly agree")


def test_agreement_top_box_is_tout_a_fait_d_accord_only():
    agree = scale_get("agree5")
    assert [agree.top_box(v) for v in range(1, 6)] == [False, False, False, False, True]
    assert [agree.top2_box(v) for v in range(1, 6)] == [False, False, False, True, True]


def test_dont_know_is_a_distinct_none_excluded_from_top_box():
    agree = scale_get("agree5", allow_dont_know=True)
    value = agree.validate(DONT_KNOW)
    assert value is None
    assert agree.top_box(value) is None and agree.top2_box(value) is None
    assert agree.options("fr")[-1] == (DONT_KNOW, "Je ne sais pas")


def test_dont_know_is_refused_where_the_item_does_not_offer_it():
    with pytest.raises(ScaleValueError):
        scale_get("agree5").validate(DONT_KNOW)
    assert DONT_KNOW not in [value for value, _ in scale_get("agree5").options("fr")]


def test_only_the_agreement_scale_can_offer_dont_know():
    with pytest.raises(ValueError, match="don't know"):
        scale_get("nps", allow_dont_know=True)


def test_csat_satisfied_means_4_or_5():
    csat = scale_get("csat5")
    assert [csat.top2_box(v) for v in range(1, 6)] == [False, False, False, True, True]
    with pytest.raises(ScaleValueError):
        csat.validate(6)


def test_ces7_and_ces5_are_distinct_scales_with_opposite_directions():
    ces7, ces5 = scale_get("ces7"), scale_get("ces5")
    assert ces7.code != ces5.code
    assert ces7.validate("7") == 7
    with pytest.raises(ScaleValueError):
        ces5.validate("7")
    assert ces7.higher_is_better and not ces5.higher_is_better
    # The best box of the older effort score is the lowest effort.
    assert ces5.top_box(1) is True and ces5.top_box(5) is False
    assert ces7.top_box(7) is True and ces7.top_box(1) is False


def test_emotion_set_has_a_neutral_and_valences_of_both_signs():
    assert EmotionScale.valence("neutral") == 0
    assert EmotionScale.valence("enthusiastic") == 1
    assert EmotionScale.valence("angry") == -1
    assert {valence for valence, _label in EMOTIONS.values()} == {-1, 0, 1}
    emotion = scale_get("emotion")
    assert emotion.validate(" reassured ") == "reassured"
    assert not emotion.is_numeric
    with pytest.raises(ScaleValueError, match=r"emotion: .*one of enthusiastic"):
        emotion.validate("happy")


@pytest.mark.parametrize(("raw", "value"), [("yes", 1), ("NO", 0), ("1", 1), (0, 0), (True, 1)])
def test_yes_no_stores_one_for_yes_and_zero_for_no(raw, value):
    assert scale_get("yes_no").validate(raw) == value


def test_yes_no_refuses_other_numbers():
    with pytest.raises(ScaleValueError):
        scale_get("yes_no").validate(2)


OPTIONS = [
    {"code": "weekly", "fr": "Chaque semaine", "en": "Weekly"},
    {"code": "monthly", "fr": "Chaque mois", "en": ""},
]


def test_single_choice_accepts_only_the_item_options_and_labels_fall_back_to_french():
    scale = scale_get("single_choice", options=OPTIONS)
    assert scale.validate("weekly") == "weekly"
    assert scale.options("en") == [("weekly", "Weekly"), ("monthly", "Chaque mois")]
    with pytest.raises(ScaleValueError, match="one of weekly, monthly"):
        scale.validate("daily")


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ([OPTIONS[0]], ""),
        ("weekly", ""),
        ([OPTIONS[0], OPTIONS[0]], "[1].code"),
        ([OPTIONS[0], {"code": "Bad Code", "fr": "x"}], "[1].code"),
        ([OPTIONS[0], {"code": "dont_know", "fr": "x"}], "[1].code"),
        ([OPTIONS[0], {"code": "ok", "fr": ""}], "[1].fr"),
        ([OPTIONS[0], {"code": "ok", "fr": "x", "colour": "red"}], "[1]"),
    ],
)
def test_single_choice_options_need_two_distinct_valid_entries(options, where):
    problems = SingleChoiceScale.check_options(options)
    assert problems
    assert problems[0][0] == where


def test_free_text_strips_control_characters_but_keeps_line_breaks():
    text = scale_get("free_text").validate("  Bonjour\x00\x1b[31m\r\nmerci\t!\x07 ")
    assert text == "Bonjour[31m\nmerci\t!"


def test_free_text_defaults_to_1000_characters_and_refuses_longer_text():
    scale = scale_get("free_text")
    assert scale.max_length == FREE_TEXT_DEFAULT_LENGTH == 1000
    assert scale.validate("a" * 1000) == "a" * 1000
    with pytest.raises(ScaleValueError) as caught:
        scale.validate("a" * 1001)
    assert caught.value.reason == "too_long" and caught.value.limit == 1000


def test_free_text_limit_can_go_up_to_2000_and_no_further():
    assert scale_get("free_text", max_length=2000).validate("b" * 2000)
    with pytest.raises(ValueError, match="from 1 to 2000"):
        scale_get("free_text", max_length=2001)


def test_free_text_made_only_of_control_characters_is_blank():
    with pytest.raises(ScaleValueError) as caught:
        scale_get("free_text").validate("\x00\x01 ")
    assert caught.value.reason == "blank"


def test_labels_fall_back_to_french_for_other_languages():
    assert scale_get("csat5").options("de")[0] == (1, "Très insatisfait")
    assert scale_get("csat5").options("en-gb")[0] == (1, "Very dissatisfied")
