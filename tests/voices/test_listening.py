"""Listening metrics of the voices, checked on hand-computed cases."""

from __future__ import annotations

from datetime import date, timedelta

from miroir.results.listening import VoiceListening
from miroir.voices.selectors import voices_listening
from miroir.voices.services import voice_answer
from tests.voices.conftest import T0


def test_the_figures_count_answers_deadlines_adoption_and_the_median(
    personas, suggestion, complaint
):
    a, b, c, _d = (suggestion(f"Idée {n}") for n in range(4))
    complaint()
    voice_answer(
        voice=a, actor=personas.shop_manager, outcome="adopted", now=T0 + timedelta(days=2)
    )
    voice_answer(
        voice=b, actor=personas.shop_manager, outcome="implemented", now=T0 + timedelta(days=10)
    )
    voice_answer(
        voice=c,
        actor=personas.shop_manager,
        outcome="declined",
        text="Non",
        now=T0 + timedelta(days=40),
    )
    figures = voices_listening(
        unit=personas.nord, lens="employee", start=T0 - timedelta(days=1), end=T0 + timedelta(1)
    )
    assert figures == VoiceListening(
        received=4,
        answered=3,
        answered_within_deadline=2,
        adopted=2,
        backlog=1,
        median_days_to_answer=10.0,
    )
    assert figures.answered_in_time_share == 0.5


def test_days_are_accepted_and_other_subtrees_and_lenses_are_left_out(
    personas, suggestion, complaint
):
    suggestion()
    complaint(unit=personas.marseille)
    figures = voices_listening(
        unit=personas.sud, lens="customer", start=date(2026, 3, 1), end=date(2026, 3, 3)
    )
    assert (figures.received, figures.median_days_to_answer) == (1, None)
    assert (
        voices_listening(
            unit=personas.sud, lens="employee", start=date(2026, 1, 1), end=date(2027, 1, 1)
        ).received
        == 0
    )
