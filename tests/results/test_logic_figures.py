"""A question the survey logic skips is "not asked": outside the figure's n, not "don't know"."""

from __future__ import annotations

import pytest
from django.utils import timezone

from miroir.collect.services import wave_close
from miroir.instruments.services import item_create
from miroir.results import selectors
from miroir.results.models import Rollup
from miroir.results.periods import period_of
from tests.collect.support import add_employees, submit, token_for

pytestmark = pytest.mark.django_db


def test_a_figure_counts_only_the_people_asked_and_answering(
    personas, instrument, make_wave, launch
) -> None:
    item_create(
        instrument=instrument,
        actor=None,
        code="pourquoi",
        lens="employee",
        scale="agree5",
        allow_dont_know=True,
        text_fr="Pourquoi pas ?",
        dimension="sens",
        show_when=[{"item": "enps", "in": [str(value) for value in range(7)]}],
    )
    members = add_employees(personas.lille_vente, 14, prefix="Logic")
    wave = launch(make_wave())
    # 6 detractors give a value, 2 say "don't know"; 6 promoters are never asked.
    given = [("3", "2")] * 3 + [("5", "4")] * 3 + [("0", "dont_know")] * 2 + [("10", "")] * 6
    for member, (enps, why) in zip(members, given, strict=True):
        answers = {"ecoute-employee": "4", "enps": enps}
        if why:
            answers["pourquoi"] = why
        submit(token_for(wave, member), answers)
    wave_close(wave=wave, actor=personas.admin)

    rollup = Rollup.objects.get(item__code="pourquoi")
    assert (rollup.n, rollup.dont_know) == (6, 2)
    results = selectors.unit_results(
        unit=personas.company,
        lens="employee",
        period=period_of(timezone.localdate()),
        levels=0,
    )
    why = results.figure(personas.company.pk, "pourquoi")
    assert not why.suppressed
    # n: the 6 asked who gave a value; the promoters are neither in n nor "don't know".
    assert (why.n, why.dont_know) == (6, 2)
    assert why.statistic("mean").value == pytest.approx((2 * 3 + 4 * 3) / 6)
    assert results.figure(personas.company.pk, "enps").n == 14
