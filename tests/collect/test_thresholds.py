"""Anonymity thresholds: copied at creation, never below the floor, only raised once started."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from miroir.audit.models import AuditEntry
from miroir.collect.services import wave_raise_thresholds


def test_a_draft_may_set_its_thresholds_anywhere_above_the_floor(make_wave, personas):
    wave = make_wave(threshold_scores=8, threshold_verbatims=12)
    wave = wave_raise_thresholds(wave=wave, actor=personas.admin, scores=5, verbatims=10)
    assert (wave.threshold_scores, wave.threshold_verbatims) == (5, 10)


def test_thresholds_never_go_below_the_configured_ones(make_wave, personas, settings):
    settings.MIROIR_ANONYMITY_THRESHOLD = 6
    wave = make_wave()
    assert wave.threshold_scores == 6
    with pytest.raises(ValidationError) as error:
        wave_raise_thresholds(wave=wave, actor=personas.admin, scores=4)
    assert "threshold_scores" in error.value.message_dict


def test_an_open_wave_raises_its_thresholds(make_wave, launch, personas):
    wave = launch(make_wave())
    wave = wave_raise_thresholds(wave=wave, actor=personas.admin, scores=7, verbatims=15)
    assert (wave.threshold_scores, wave.threshold_verbatims) == (7, 15)
    entry = AuditEntry.objects.get(action="wave.thresholds")
    assert entry.details == {"from": [5, 10], "to": [7, 15]}


@pytest.mark.parametrize(("scores", "verbatims"), [(4, None), (None, 9), (6, 9)])
def test_an_open_wave_never_lowers_them(make_wave, launch, personas, scores, verbatims):
    wave = launch(make_wave())
    with pytest.raises(ValidationError):
        wave_raise_thresholds(wave=wave, actor=personas.admin, scores=scores, verbatims=verbatims)
    wave.refresh_from_db()
    assert (wave.threshold_scores, wave.threshold_verbatims) == (5, 10)


def test_verbatims_need_at_least_as_many_respondents_as_scores(make_wave, personas):
    wave = make_wave()
    with pytest.raises(ValidationError) as error:
        wave_raise_thresholds(wave=wave, actor=personas.admin, scores=12)
    assert "threshold_verbatims" in error.value.message_dict
