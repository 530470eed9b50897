"""Benchmarks: a unit's percentile among its kind's units, gated, and the national reference."""

from __future__ import annotations

import io
import random

import pytest
from django.urls import reverse
from pypdf import PdfReader
from scipy import stats

from miroir.collect.models import Wave, WaveStatus
from miroir.instruments.catalogs import catalog_load
from miroir.org.models import Lens, UnitKind
from miroir.org.selectors import scope_for_user
from miroir.org.services import unit_create
from miroir.reports.charts import SUPPRESSED_MARKER
from miroir.reports.filters import filters_from_request
from miroir.reports.pages import SECTIONS, Loader
from miroir.results import selectors
from miroir.results.periods import period_of
from miroir.results.references import BAROMETER_FAMILY, COMPLAINTS, REFERENCES, SUGGESTIONS
from miroir.results.selectors.benchmarks import benchmark_minimum, unit_benchmarks
from miroir.results.services import rollups_rebuild
from tests.personas import PASSWORD
from tests.reports.support import _respond, last_quarter_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def more_shops(results_data, make_wave):
    """Return the personas with four more shops (two in Nord, two in Sud) answering."""
    personas = results_data
    rng = random.Random(11)
    recent, _older = last_quarter_days()
    waves = {
        lens: make_wave(name=f"Extra {lens}", lens=lens, channels=["link"])
        for lens in (Lens.EMPLOYEE, Lens.CUSTOMER)
    }
    Wave.objects.filter(pk__in=[w.pk for w in waves.values()]).update(status=WaveStatus.CLOSED)
    shops = []
    for index, region in enumerate((personas.nord, personas.nord, personas.sud, personas.sud)):
        shop = unit_create(name=f"Boutique {index}", kind=UnitKind.SHOP, parent=region)
        shops.append(shop)
        for _ in range(6 + index):
            _respond(waves[Lens.EMPLOYEE], shop, Lens.EMPLOYEE, recent, rng, index % 2)
        for _ in range(8):
            _respond(waves[Lens.CUSTOMER], shop, Lens.CUSTOMER, recent, rng, 0)
    rollups_rebuild()
    personas.extra_shops = shops
    return personas


def _visible_score(shop, lens, period, code):
    results = selectors.unit_results(
        unit=shop, lens=lens, period=period, subject="dimension", levels=0, with_change=False
    )
    figure = results.figure(shop.pk, code)
    if figure is None or figure.suppressed:
        return None
    return figure.statistic("score").value


def test_percentile_is_scipys_over_the_shops_whose_figure_is_shown(more_shops):
    personas = more_shops
    period = period_of(last_quarter_days()[0])
    shops = [personas.lille, personas.arras, personas.marseille, *personas.extra_shops]
    positions = unit_benchmarks(unit=personas.lille, period=period)
    assert {position.lens for position in positions} == {Lens.EMPLOYEE, Lens.CUSTOMER}
    for position in positions:
        scores = [
            score
            for shop in shops
            if (score := _visible_score(shop, position.lens, period, position.subject.code))
            is not None
        ]
        # Marseille's three employees are hidden (and a Sud shop with them, so that Sud
        # minus the others does not give Marseille): never ranked against.
        if position.lens == Lens.EMPLOYEE:
            assert _visible_score(personas.marseille, position.lens, period, "sens") is None
            assert 5 <= len(scores) < 7
        assert position.network.compared == len(scores)
        expected = stats.percentileofscore(scores, position.score, kind="mean")
        assert position.network.percentile == pytest.approx(expected)
        # Nord holds four shops: too few for a percentile, hidden.
        assert position.region is not None and position.region.suppressed
        assert position.region.compared is None


def test_a_percentile_over_too_few_units_is_hidden_with_the_marker(results_data):
    personas = results_data
    assert benchmark_minimum() == 5
    result = filters_from_request(scope_for_user(personas.direction), {}, unit_id=personas.lille.pk)
    table = SECTIONS[("unit", "benchmarks")](Loader(result.filters)).table
    assert table.rows
    for row in table.rows:
        # Three shops in the network: the percentile and its count are the marker.
        assert row[3] == SUPPRESSED_MARKER and row[4] == SUPPRESSED_MARKER


def test_a_hidden_unit_figure_has_no_rank(more_shops):
    personas = more_shops
    period = period_of(last_quarter_days()[0])
    for position in unit_benchmarks(unit=personas.marseille, period=period):
        if position.lens == Lens.EMPLOYEE:
            assert position.score is None and position.network.suppressed


def test_references_are_the_cited_barometer_figures():
    assert (BAROMETER_FAMILY, SUGGESTIONS, COMPLAINTS) == (
        selectors.BAROMETER_FAMILY,
        selectors.BAROMETER_SUGGESTIONS,
        selectors.BAROMETER_COMPLAINTS,
    )
    assert {(r.mirror, r.value) for r in REFERENCES} == {(SUGGESTIONS, 0.24), (COMPLAINTS, 0.37)}
    assert all("Cultures Services" in str(r.source) and r.year is None for r in REFERENCES)


@pytest.fixture
def barometer_data(personas, make_wave):
    instrument = catalog_load(name="barometre-service", actor=None)
    wave = make_wave(name="Baromètre", lens=Lens.EMPLOYEE, instrument=instrument)
    Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
    rng = random.Random(3)
    recent, _older = last_quarter_days()
    wave.refresh_from_db()
    for _ in range(12):
        _respond(wave, personas.lille, Lens.EMPLOYEE, recent, rng, 1)
    rollups_rebuild()
    return personas


def test_the_national_reference_is_a_line_on_the_barometer_chart_and_in_the_pdf(
    client, barometer_data
):
    personas = barometer_data
    result = filters_from_request(scope_for_user(personas.direction), {}, unit_id=personas.lille.pk)
    section = SECTIONS[("unit", "barometer")](Loader(result.filters))
    assert [row[3] for row in section.table.rows] == [pytest.approx(24.0), pytest.approx(37.0)]
    records = [
        record
        for layer in section.chart.spec["layer"]
        for record in layer.get("data", {}).get("values", [])
        if record.get("reference")
    ]
    assert sorted({record["value"] for record in records}) == [24.0, 37.0]
    assert "<svg" in section.chart.svg
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert client.login(username=personas.shop_manager.email, password=PASSWORD)
    page = client.get(reverse("reports:unit", args=[personas.lille.pk])).content.decode()
    assert 'data-testid="table-benchmarks"' in page and 'data-testid="table-barometer"' in page
    response = client.get(reverse("reports:unit_report", args=[personas.lille.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ")
    assert "Baromètre Cultures Services" in text
    assert "Référence nationale" in text
