"""The result pages: who sees them, what they show, how filters and exports behave."""

from __future__ import annotations

import csv
import io
import random
import re

import openpyxl
import pytest
from django.urls import reverse

from miroir.collect.models import Answer, Wave
from miroir.core.middleware import CONTENT_SECURITY_POLICY
from miroir.org.models import Lens, UnitKind
from miroir.org.services import unit_create
from miroir.results.services import rollups_rebuild
from tests.personas import PASSWORD
from tests.reports.support import _respond, last_quarter_days

pytestmark = pytest.mark.django_db


def _login(client, user):
    # The assertions read the English texts, whatever the default language.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.login(username=user.email, password=PASSWORD)


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_anonymous_is_sent_to_login(client, personas):
    response = client.get(reverse("reports:network"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("user", ["employee", "partner", "outsider"])
def test_people_without_results_rights_get_403_on_every_page_and_export(client, personas, user):
    _login(client, getattr(personas, user))
    lille = personas.lille.pk
    for url in (
        reverse("reports:network"),
        reverse("reports:unit", args=[lille]),
        reverse("reports:linkage"),
        reverse("reports:unit_export", args=[lille, "items", "csv"]),
        reverse("reports:export", args=["network", "index", "csv"]) + f"?unit={lille}",
    ):
        assert client.get(url).status_code == 403, url


def test_manager_of_another_region_gets_404_for_a_unit_outside_their_region(client, personas):
    _login(client, personas.other_region_manager)
    lille = personas.lille.pk
    assert client.get(reverse("reports:unit", args=[lille])).status_code == 404
    assert client.get(reverse("reports:network") + f"?unit={lille}").status_code == 404
    assert client.get(reverse("reports:linkage") + f"?unit={lille}").status_code == 404
    export = reverse("reports:unit_export", args=[lille, "items", "csv"])
    assert client.get(export).status_code == 404
    network_export = reverse("reports:export", args=["network", "heatmap", "xlsx"])
    assert client.get(network_export + f"?unit={personas.nord.pk}").status_code == 404


def test_navigation_offers_results_to_managers_only(client, personas):
    _login(client, personas.shop_manager)
    assert reverse("reports:network") in client.get(reverse("core:home")).content.decode()
    client.logout()
    _login(client, personas.employee)
    assert reverse("reports:network") not in client.get(reverse("core:home")).content.decode()


def test_network_page_shows_index_heatmap_trend_and_gaps_with_charts(client, results_data):
    personas = results_data
    _login(client, personas.direction)
    response = client.get(reverse("reports:network"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.content.decode()
    for key in ("index", "heatmap", "trend", "gaps"):
        assert f'data-testid="table-{key}"' in html
        assert f"export-{key}-csv" in html and f"export-{key}-xlsx" in html
    # The regions are the rows, each a link to drill down.
    assert f"?unit={personas.nord.pk}" in html and "Sud" in html
    # Charts are inline SVG with an accessible name, and nothing the policy would block.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 2
    assert 'role="img"' in html
    # Each chart's figures are one link away, in the table that follows it.
    assert 'href="#table-index"' in html and 'id="table-index"' in html
    assert 'aria-labelledby="chart-index-title chart-index-desc"' in html
    assert ' style="' not in html and "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "How to read these figures" in html


def test_unit_page_hides_small_groups_with_the_one_marker(client, results_data):
    personas = results_data
    _login(client, personas.direction)
    html = client.get(reverse("reports:unit", args=[personas.marseille.pk])).content.decode()
    # Three employees in Marseille: their figures are hidden, with the marker only.
    assert 'class="suppressed"' in html
    items = client.get(reverse("reports:unit_export", args=[personas.marseille.pk, "items", "csv"]))
    rows = _csv(items)
    body = [row for row in rows[1:] if row]
    assert body and all(row[1] == "•" for row in body)
    assert not any(cell in ("3", "3.0") for row in body for cell in row[1:3])


def test_unit_page_shows_the_three_comparisons_and_units_below(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    response = client.get(reverse("reports:unit", args=[personas.lille.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("index", "experience", "perception", "listening", "items", "trend", "children"):
        assert f'data-testid="table-{key}"' in html, key
    assert 'data-testid="verbatims"' in html
    assert reverse("reports:unit", args=[personas.lille_vente.pk]) in html
    # Figures come with their interval, in brackets.
    assert 'class="interval"' in html


def test_region_manager_lands_on_their_region(client, results_data):
    personas = results_data
    _login(client, personas.region_manager)
    html = client.get(reverse("reports:network")).content.decode()
    assert "Network results — Nord" in html
    assert "Marseille" not in html


def test_linkage_page_names_its_method_and_shows_guardrails_and_caveat(client, results_data):
    personas = results_data
    _login(client, personas.direction)
    response = client.get(reverse("reports:linkage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="caveat"' in html
    for key in ("correlation", "regression", "lagged", "drivers", "guardrails"):
        assert f'data-testid="table-{key}"' in html, key
    assert "Johnson" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2026-13", "2026-13"),
        ("period=nonsense", "nonsense"),
        ("lens=customer&contract_type=permanent", "contract type"),
        ("lens=employee&moment=checkout", "moment"),
        ("lens=robots", "robots"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(client, results_data, query, message):
    _login(client, results_data.direction)
    response = client.get(reverse("reports:network") + "?" + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html
    assert message.lower() in html.lower()
    export = client.get(reverse("reports:export", args=["network", "index", "csv"]) + "?" + query)
    assert export.status_code == 400


def test_exports_carry_the_page_figures_and_neutralise_formulas(client, results_data):
    personas = results_data
    unit_create(name="=HYPERLINK(1)", kind=UnitKind.TEAM, parent=personas.arras)
    _login(client, personas.direction)
    csv_export = client.get(
        reverse("reports:export", args=["network", "index", "csv"]) + f"?unit={personas.arras.pk}"
    )
    assert csv_export.status_code == 200
    assert csv_export["Content-Type"].startswith("text/csv")
    rows = _csv(csv_export)
    assert rows[0][0] == "Unit"
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in names and "=HYPERLINK(1)" not in names
    xlsx = client.get(
        reverse("reports:unit_export", args=[personas.lille.pk, "experience", "xlsx"])
    )
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) >= 2
    header = values[0]
    assert any("95" in str(cell) for cell in header)  # intervals spread over columns


def test_an_unknown_table_or_format_is_404(client, results_data):
    _login(client, results_data.direction)
    lille = results_data.lille.pk
    assert (
        client.get(reverse("reports:unit_export", args=[lille, "nope", "csv"])).status_code == 404
    )
    assert (
        client.get(reverse("reports:unit_export", args=[lille, "items", "pdf"])).status_code == 404
    )


def test_verbatims_on_the_unit_page_are_shown_escaped(client, results_data):
    personas = results_data
    # Ten employees or more in every shop, so the gate lets Lille's comments through.
    wave = Wave.objects.get(name="Pulse 1 employee")
    day = last_quarter_days()[0]
    rng = random.Random(3)
    for unit, count in ((personas.arras, 4), (personas.marseille, 7)):
        for _ in range(count):
            _respond(wave, unit, Lens.EMPLOYEE, day, rng, 0)
    rollups_rebuild()
    markup = '<script>alert(1)</script> "><img src=x onerror=alert(1)> suggestion'
    Answer.objects.filter(text__isnull=False).update(text=markup)
    _login(client, personas.shop_manager)
    url = reverse("reports:unit", args=[personas.lille.pk]) + "?lens=employee"
    html = client.get(url).content.decode()
    block = html[html.index('data-testid="verbatims"') :]
    # The comments are shown, inert.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in block
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
