"""The sentences and charts each result page opens with: written from gated figures only.

Marseille has 3 employees (under the threshold of 5): its employee figures are hidden, so
no sentence may give them, and the charts across shops leave Marseille out.
"""

from __future__ import annotations

import html as markup
import random
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from miroir.collect.models import Wave
from miroir.org.models import Lens, UnitKind
from miroir.org.services import unit_create
from miroir.reports import summaries
from miroir.results import selectors
from miroir.results.periods import period_of
from miroir.results.services import publication_publish, rollups_rebuild
from tests.personas import PASSWORD
from tests.reports.support import _respond, last_quarter_days

pytestmark = pytest.mark.django_db


def _login(client, user, language="en"):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    assert client.login(username=user.email, password=PASSWORD)


def _period():
    return period_of(last_quarter_days()[0])


def _block(html: str, test_id: str, end: str) -> str:
    start = html.index(f'data-testid="{test_id}"')
    return html[start : html.index(end, start)]


def _numbers(text: str) -> set[int]:
    """Return the whole numbers written in a text (no decimal figure appears in summaries)."""
    text = markup.unescape(text)
    return {int(found) for found in re.findall(r"(?<![\d.,])\d+(?![\d.,]\d)", text)}


def _scores(rows, lens) -> set[int]:
    found = set()
    for row in rows:
        figure = row.figures.get(lens)
        if figure is not None and not figure.suppressed:
            found.add(round(figure.statistic("score").value))
    return found


def test_a_small_units_hidden_staff_figures_never_reach_its_summary(client, results_data):
    personas = results_data
    _login(client, personas.direction)
    period = _period()
    html = client.get(
        reverse("reports:unit", args=[personas.marseille.pk]) + f"?period={period.label}"
    ).content.decode()
    summary = _block(html, "summary-sentences", "</ul>")
    assert "hidden to protect anonymity" in summary
    rows = selectors.experience_symmetry(unit=personas.marseille, period=period)
    assert all(
        row.figures[Lens.EMPLOYEE].suppressed for row in rows if Lens.EMPLOYEE in row.figures
    )
    index = selectors.unit_symmetry(unit=personas.marseille, period=period).index.value
    shown = _scores(rows, Lens.CUSTOMER) | ({round(index)} if index is not None else set())
    # Every number of the sentences is a figure the page shows (the 100 of "out of 100" too).
    assert _numbers(summary) <= shown | {100}


def test_a_units_summary_compares_customers_and_staff_with_the_shown_scores(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    period = _period()
    html = client.get(
        reverse("reports:unit", args=[personas.lille.pk]) + f"?period={period.label}"
    ).content.decode()
    summary = _block(html, "summary-sentences", "</ul>")
    rows = selectors.experience_symmetry(unit=personas.lille, period=period)
    # Customers answer one point higher on every question of the fixture's data.
    assert "Your customers are more satisfied than your staff on" in summary
    widest = summaries._widest(rows, Lens.EMPLOYEE)
    customer = round(widest.figures[Lens.CUSTOMER].statistic("score").value)
    employee = round(widest.figures[Lens.EMPLOYEE].statistic("score").value)
    assert f"{customer} against {employee} out of 100" in summary
    # The statistics are one tap away: in a closed <details>, with the glossary after it.
    assert '<details class="details" data-testid="details">' in html
    assert html.index('data-testid="summary"') < html.index('data-testid="details"')
    assert 'data-testid="glossary"' in html
    # The summary's charts are drawn once: not again inside the details.
    assert html.count('id="chart-experience-title"') == 1
    assert html.count('id="chart-questions-title"') == 1


def test_the_summary_is_in_french_for_a_french_reader(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager, language="fr")
    html = client.get(
        reverse("reports:unit", args=[personas.lille.pk]) + f"?period={_period().label}"
    ).content.decode()
    summary = _block(html, "summary-sentences", "</ul>")
    assert "Vos clients sont plus satisfaits que vos équipes sur" in summary
    assert "Détails" in html and "Glossaire" in html


def _two_more_shops(personas) -> None:
    """Add two shops to Nord, answered by enough people: four shops are shown, not Marseille."""
    rng = random.Random(11)
    day = last_quarter_days()[0]
    for name, shift in (("Lens", 0), ("Douai", 1)):
        shop = unit_create(name=name, kind=UnitKind.SHOP, parent=personas.nord)
        for lens, count, lift in ((Lens.EMPLOYEE, 6, shift), (Lens.CUSTOMER, 10, 1)):
            wave = Wave.objects.get(name=f"Pulse 1 {lens}")
            for _ in range(count):
                _respond(wave, shop, lens, day, rng, lift)
    rollups_rebuild()


def test_charts_across_shops_leave_out_a_shop_whose_figures_are_hidden(client, results_data):
    personas = results_data
    _two_more_shops(personas)
    _login(client, personas.direction)
    period = _period()
    query = f"?unit={personas.company.pk}&period={period.label}"
    network = client.get(reverse("reports:network") + query).content.decode()
    linkage = client.get(reverse("reports:linkage") + query).content.decode()
    gapmap = _block(network, "table-gapmap", "</table>")
    scatter = _block(linkage, "table-scatter", "</table>")
    for table in (gapmap, scatter):
        assert "Lille" in table and "Arras" in table and "Douai" in table
        assert "Marseille" not in table
    for chart in ("chart-gapmap", "chart-scatter"):
        page = network if chart == "chart-gapmap" else linkage
        svg = page[page.index(f'id="{chart}-title"') : page.index("</svg>", page.index(chart))]
        assert "Lille" in svg and "Marseille" not in svg
    summary = _block(network, "summary-sentences", "</ul>")
    assert "Marseille" not in summary
    assert "differ most at Lille" in summary or "differ most at Arras" in summary


def test_the_question_heatmap_shows_the_marker_for_a_hidden_cell(client, results_data):
    personas = results_data
    _login(client, personas.direction)
    html = client.get(
        reverse("reports:unit", args=[personas.sud.pk]) + f"?period={_period().label}&lens=employee"
    ).content.decode()
    table = _block(html, "table-questions", "</table>")
    # Sud's only shop, Marseille, has 3 employees: every employee cell is hidden.
    assert "Marseille" in table and "•" in table
    cells = re.findall(r'<td class="num">(.*?)</td>', table, flags=re.S)
    figures = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    assert figures and set(figures) == {"•"}
    svg = html[html.index('id="chart-questions-title"') :]
    svg = svg[: svg.index("</svg>")]
    assert "•" in svg
    # The only numbers drawn are the colour scale's ends and middle.
    assert set(re.findall(r">(\d+)</text>", svg)) <= {"0", "50", "100"}


def test_a_publication_opens_with_sentences_and_charts_for_the_team(client, results_data):
    personas = results_data
    publication_publish(
        unit=personas.lille, period=_period().label, actor=personas.shop_manager, message=""
    )
    _login(client, personas.employee)
    listing = client.get(reverse("reports:published")).content.decode()
    link = re.search(r'href="(/results/published/\d+/)"', listing).group(1)
    html = client.get(link).content.decode()
    summary = _block(html, "summary-sentences", "</ul>")
    assert "Our customers are more satisfied than we are on" in summary
    assert "Our best-rated question" in summary
    assert html.count('class="chart-svg"') == 2
    assert '<details class="details" data-testid="details">' in html


def test_people_without_results_rights_see_no_summary(client, results_data):
    personas = results_data
    _login(client, personas.employee)
    response = client.get(reverse("reports:unit", args=[personas.lille.pk]))
    assert response.status_code == 403
    assert b"summary-sentences" not in response.content


@pytest.mark.parametrize(
    ("flagged", "language", "expected"),
    [
        (1, "fr", "1 unité a un écart"),
        (2, "fr", "2 unités ont un écart"),
        (1, "en", "1 unit has a gap"),
        (2, "en", "2 units have a gap"),
    ],
)
def test_counts_of_units_are_written_with_their_plural(flagged, language, expected):
    flags = [SimpleNamespace(flagged=index < flagged) for index in range(3)]
    linkage = SimpleNamespace(
        correction=object(), flags=flags, points={1: (50, 60, 8), 2: (55, 50, 9), 3: (60, 61, 7)}
    )
    with translation.override(language):
        assert expected in summaries.flagged_sentence(linkage)


def test_a_gap_within_chance_is_said_to_be_uncertain():
    def figure(value):
        statistic = SimpleNamespace(value=value)
        return SimpleNamespace(suppressed=False, statistic=lambda code: statistic)

    mirror = SimpleNamespace(label=lambda language: "Être écouté")
    row = SimpleNamespace(
        mirror=mirror,
        figures={Lens.CUSTOMER: figure(70.4), Lens.EMPLOYEE: figure(62.2)},
        gaps={Lens.EMPLOYEE: SimpleNamespace(significant=False)},
    )
    with translation.override("fr"):
        text = summaries.experience_sentence([row])
    assert text.startswith(
        "Vos clients sont plus satisfaits que vos équipes sur «\u00a0Être écouté\u00a0»"
    )
    assert "70 contre 62" in text and "hasard" in text
