"""The PDF reports of a unit and of the network: text, charts, hidden figures, access."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from miroir.collect.models import Answer
from miroir.org.models import Lens
from miroir.reports.charts import CHART_WIDTH
from miroir.results.periods import period_of
from tests.personas import PASSWORD
from tests.reports.support import last_quarter_days

pytestmark = pytest.mark.django_db


def _login(client, user, language="fr"):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    assert client.login(username=user.email, password=PASSWORD)


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    # Extraction keeps no-break spaces; the assertions compare words.
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _period() -> str:
    return period_of(last_quarter_days()[0]).label


def test_unit_report_in_french_carries_the_page_summary_figures_and_charts(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    lille = personas.lille
    page = client.get(reverse("reports:unit", args=[lille.pk])).content.decode()
    index = re.search(r'data-testid="index-headline">.*?<strong>(\d+)</strong>', page, re.S)
    assert index is not None
    assert reverse("reports:unit_report", args=[lille.pk]) + "?lang=fr" in page

    reader = _pdf(client.get(reverse("reports:unit_report", args=[lille.pk]) + "?lang=fr"))
    text = _text(reader)
    assert "Rapport de résultats : Lille" in text
    assert _period() in text
    # The summary as the page gives it: the same index, the barometer headline.
    assert f"Indice de symétrie : {index.group(1)} / 100" in text
    # French accents and guillemets print (a Unicode font is embedded).
    assert "« Tout à fait d'accord »" in text and "« ne sait pas »" in text
    assert "Symétrie des expériences : les miroirs côte à côte" in text
    # A question's figures as the page shows them: mean with its interval in brackets.
    means = re.findall(r"\d,\d\d \[\d,\d\d ; \d,\d\d\]", text)
    assert means, "no mean with its interval"
    plain = page.replace("\u00a0", " ").replace("\u202f", " ")
    cells = re.findall(r'<td class="num">(\d,\d\d) <span class="interval">\[(\d,\d\d) ; ', plain)
    assert cells and f"{cells[0][0]} [{cells[0][1]} ;" in text
    # The units below are named; the verbatims stay on the page.
    assert "Lille Vente" in text and "Lille Caisse" in text
    assert "une idée" not in text
    # The charts are the renderer's pictures: experience symmetry and the trend.
    images = [image for page in reader.pages for image in page.images]
    assert len(images) >= 2
    for image in images:
        assert image.image.width == CHART_WIDTH * 2
        assert image.image.height > 100


def test_unit_report_in_english_on_request(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager, language="fr")
    url = reverse("reports:unit_report", args=[personas.lille.pk]) + "?lang=en"
    text = _text(_pdf(client.get(url)))
    assert "Results report: Lille" in text
    assert "Symmetry index:" in text
    assert "How to read these figures" in text


def test_a_hidden_figure_is_the_marker_in_the_report_never_its_value(client, results_data):
    personas = results_data
    _login(client, personas.direction, language="en")
    marseille = personas.marseille
    url = reverse("reports:unit_report", args=[marseille.pk]) + "?lang=fr"
    text = _text(_pdf(client.get(url)))
    # Three employees answered in Marseille: their questions show the marker only.
    assert "Marseille" in text and "•" in text
    answers = Answer.objects.filter(
        response__unit=marseille, response__lens=Lens.EMPLOYEE, number__isnull=False
    )
    by_item: dict[int, list[int]] = {}
    for item_id, number in answers.values_list("item_id", "number"):
        by_item.setdefault(item_id, []).append(number)
    for numbers in by_item.values():
        mean = f"{sum(numbers) / len(numbers):.2f}".replace(".", ",")
        assert f"{mean} [" not in text, mean


def test_network_report_has_the_network_page_sections_and_charts(client, results_data):
    personas = results_data
    _login(client, personas.direction)
    page = client.get(reverse("reports:network")).content.decode()
    url = reverse("reports:network_report")
    assert url in page
    reader = _pdf(client.get(url + f"?unit={personas.company.pk}&lang=fr"))
    text = _text(reader)
    assert "Rapport de résultats du réseau : Miroir Retail" in text
    assert "Nord" in text and "Sud" in text
    images = [image for page in reader.pages for image in page.images]
    assert len(images) >= 2


def test_report_is_scoped_like_the_page(client, results_data):
    personas = results_data
    lille = personas.lille.pk
    unit_url = reverse("reports:unit_report", args=[lille])
    network_url = reverse("reports:network_report") + f"?unit={lille}"
    response = client.get(unit_url)
    assert response.status_code == 302
    _login(client, personas.other_region_manager)
    assert client.get(unit_url).status_code == 404
    assert client.get(network_url).status_code == 404
    client.logout()
    _login(client, personas.employee)
    assert client.get(unit_url).status_code == 403


def test_bad_filters_are_refused_naming_the_filter(client, results_data):
    _login(client, results_data.direction, language="en")
    url = reverse("reports:unit_report", args=[results_data.lille.pk]) + "?period=someday"
    response = client.get(url)
    assert response.status_code == 400
    assert "Period" in response.content.decode()
