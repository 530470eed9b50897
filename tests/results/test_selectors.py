"""Selectors: the daily snapshot, segments, voices, verbatims, linkage figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from miroir.collect.models import Answer, Response
from miroir.results import gate, selectors
from miroir.results.listening import VoiceListening, register_voice_source, unregister_voice_source
from miroir.results.periods import period_of
from tests.collect.support import add_employees, submit, token_for

pytestmark = pytest.mark.django_db


def test_an_open_wave_is_shown_as_it_stood_at_the_end_of_yesterday(
    personas, make_wave, launch
) -> None:
    members = add_employees(personas.lille_vente, 6, prefix="Open")
    wave = launch(make_wave())
    for member in members:
        submit(token_for(wave, member), {"ecoute-employee": "5", "enps": "9"})
    today = timezone.localdate()
    period = period_of(today)
    now = selectors.unit_results(
        unit=personas.company, lens="employee", period=period, levels=0, today=today
    )
    assert now.as_of == today - timedelta(days=1)
    assert now.figure(personas.company.pk, "ecoute-employee").suppressed
    later = selectors.unit_results(
        unit=personas.company,
        lens="employee",
        period=period,
        levels=0,
        today=today + timedelta(days=1),
    )
    assert later.figure(personas.company.pk, "ecoute-employee").n == 6


def test_figures_by_contract_type_are_gated_like_units(personas, answered) -> None:
    period = period_of(timezone.localdate())
    results = selectors.segment_results(unit=personas.company, lens="employee", period=period)
    cells = {f.segment[1]: f for f in results.figures if f.subject.code == "ecoute-employee"}
    # 13 permanent answers and Marius's fixed-term one: the company's total minus the
    # permanent figure would be Marius's answer, so the permanent figure is hidden too.
    assert cells["fixed_term"].suppressed
    assert cells["permanent"].suppressed
    # Nobody answered as an apprentice: the row is there all the same, with the one marker.
    assert cells["apprentice"].suppressed and cells["apprentice"].n is None
    totals = selectors.unit_results(unit=personas.company, lens="employee", period=period, levels=0)
    assert totals.figure(personas.company.pk, "ecoute-employee").n == 14
    with pytest.raises(ValueError, match="keeps no attribute"):
        selectors.unit_results(
            unit=personas.company, lens="employee", period=period, segment=("moment", "achat")
        )


def test_voice_figures_appear_once_a_source_is_registered(personas, answered, monkeypatch) -> None:
    # The voices app registers its own source; start from none.
    monkeypatch.setattr("miroir.results.listening._SOURCES", [])
    period = period_of(timezone.localdate())
    before = selectors.listening_symmetry(unit=personas.company, period=period)
    assert before.lenses["employee"].voices is None
    assert before.lenses["employee"].invited > 0
    assert before.lenses["employee"].response_rate is not None

    def source(*, unit, lens, start, end):
        if lens == "employee":
            return VoiceListening(10, 6, 3, 1, 4, 21.0)
        return VoiceListening(20, 19, 17, 0, 1, 3.0)

    register_voice_source(source)
    try:
        after = selectors.listening_symmetry(unit=personas.company, period=period)
    finally:
        unregister_voice_source(source)
    assert after.lenses["employee"].voices.answered_within_deadline == 3
    assert after.ratios["answered_in_time"] == pytest.approx((3 / 10) / (17 / 20))
    symmetry = selectors.unit_symmetry(unit=personas.company, period=period)
    codes = {component.code for component in symmetry.index.components}
    assert {"experience", "perception", "response_rate", "answered_in_time"} <= codes


def test_verbatims_need_the_verbatim_threshold(personas, make_wave, launch, settings) -> None:
    settings.MIROIR_VERBATIM_THRESHOLD = 10
    members = add_employees(personas.lille_vente, 11, prefix="Mot")
    wave = launch(make_wave())
    for index, member in enumerate(members):
        answers = {"ecoute-employee": "4", "enps": "8", "idee": f"Idée {index} de Mot{index}"}
        submit(token_for(wave, member), answers)
    from miroir.collect.services import wave_close

    wave_close(wave=wave, actor=personas.admin)
    period = period_of(timezone.localdate())
    previous = gate.redactor_install(
        lambda texts, names, language: [
            " ".join("[nom]" if word.startswith("Mot") else word for word in text.split())
            for text in texts
        ]
    )
    try:
        big = selectors.unit_verbatims(unit=personas.lille_vente, lens="employee", period=period)
        small = selectors.unit_verbatims(unit=personas.marseille, lens="employee", period=period)
    finally:
        gate.redactor_install(previous)
    assert not big.suppressed and len(big.verbatims) == 11
    assert all(
        "[nom]" in verbatim.text and "Mot" not in verbatim.text for verbatim in big.verbatims
    )
    assert small.suppressed and small.verbatims == ()


def test_a_session_reads_and_gates_each_release_once(
    personas, answered, django_assert_num_queries
) -> None:
    period = period_of(timezone.localdate())
    with selectors.results_session():
        first = selectors.unit_results(unit=personas.company, lens="employee", period=period)
        with django_assert_num_queries(0):
            again = selectors.unit_results(unit=personas.company, lens="employee", period=period)
    assert again == first


def test_answers_the_roll_ups_lack_hide_their_cell_instead_of_failing(
    personas, make_wave, launch, caplog
) -> None:
    members = add_employees(personas.lille_vente, 7, prefix="Behind")
    wave = launch(make_wave())
    today = timezone.localdate()
    for member in members[:5]:
        submit(token_for(wave, member), {"ecoute-employee": "5", "enps": "9"})
    # Five answered the day before (the company's release day), two more today.
    earlier = today - timedelta(days=1) if today.day > 1 else today
    Response.objects.filter(wave=wave).update(submitted_on=earlier)
    submit(token_for(wave, members[5]), {"ecoute-employee": "5", "enps": "9"})
    # One response stored outside intake's roll-ups (an import not yet rebuilt, say): written
    # row by row, as intake's single statement would also have counted it.
    model = Response.objects.filter(wave=wave).select_related("wave").first()
    outside = Response.objects.create(
        wave=wave,
        unit=model.unit,
        lens=model.lens,
        submitted_on=today,
        attributes=model.attributes,
        channel=model.channel,
    )
    Answer.objects.bulk_create(
        Answer(response=outside, item=answer.item, number=value)
        for answer, value in zip(
            model.answers.select_related("item").order_by("item__code"), (1.0, 2.0), strict=True
        )
    )
    later = today + timedelta(days=1) if today.day > 1 else today + timedelta(days=2)
    Response.objects.filter(wave=wave, submitted_on=today).update(
        submitted_on=later - timedelta(days=1)
    )
    with caplog.at_level("WARNING", logger="miroir.results.engine.build"):
        results = selectors.unit_results(
            unit=personas.company, lens="employee", period=period_of(today), today=later
        )
    assert all(figure.suppressed for figure in results.figures)
    assert "run rollups_rebuild" in caplog.text
