"""A reader counted in a group sees it only above the threshold (they can subtract themselves).

Arras has exactly the threshold of employee respondents (5). Simon manages Arras and is a
member of it: the unit page, its export and the API show him the marker where Régis (the
region's manager, counted in Nord but not in Arras) and the direction see the figures. Nord
minus Lille is Arras again, so Nord is hidden from Simon too.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from miroir.collect.models import Wave, WaveStatus
from miroir.org.models import ContractType
from miroir.results import gate
from miroir.results.periods import period_of
from miroir.results.services import publication_publish
from tests.personas import PASSWORD, _member
from tests.results.test_release_days import _answer

pytestmark = pytest.mark.django_db

GROUPS = {"arras": 5, "lille_vente": 6, "lille_caisse": 6, "marseille": 6}


@pytest.fixture
def arras_at_the_threshold(personas, make_wave, launch):
    period = period_of(timezone.localdate())
    wave = launch(make_wave(attributes=["contract_type"]))
    Wave.objects.filter(pk=wave.pk).update(
        status=WaveStatus.CLOSED,
        opens_at=timezone.make_aware(datetime.combine(period.start, time(8))),
    )
    for name, count in GROUPS.items():
        for index in range(count):
            unit = getattr(personas, name)
            _answer(wave, unit, ContractType.PERMANENT, 1 + index % 5, period.start)
    return personas


def _login(client, user) -> None:
    assert client.login(username=user.email, password=PASSWORD)


def _api_figures(client, unit, levels: int = 0) -> dict[tuple[int, str], int | None]:
    response = client.get(
        f"/api/v1/results/units/{unit.pk}", {"lens": "employee", "levels": levels}
    )
    assert response.status_code == 200
    return {(f["unit_id"], f["subject"]["code"]): f["n"] for f in response.json()["figures"]}


def _export(client, unit) -> list[list[str]]:
    response = client.get(reverse("reports:unit_export", args=[unit.pk, "items", "csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row for row in list(csv.reader(io.StringIO(text)))[1:] if row]


def test_a_manager_counted_in_their_unit_sees_it_only_above_the_threshold(
    client, arras_at_the_threshold
) -> None:
    personas = arras_at_the_threshold
    arras = (personas.arras.pk, "ecoute-employee")
    _login(client, personas.region_manager)  # counted in Nord, not in Arras
    assert _api_figures(client, personas.nord, levels=1)[arras] == 5
    client.logout()
    _login(client, personas.sibling_manager)  # Simon, a member of Arras
    assert _api_figures(client, personas.arras)[arras] is None
    html = client.get(reverse("reports:unit", args=[personas.arras.pk])).content.decode()
    assert 'class="suppressed"' in html
    rows = _export(client, personas.arras)
    assert rows and all(row[1] == "•" for row in rows)


def test_the_unit_above_that_gives_the_group_by_difference_is_hidden_too(
    client, arras_at_the_threshold
) -> None:
    personas = arras_at_the_threshold
    _login(client, personas.direction)
    seen = _api_figures(client, personas.nord, levels=1)
    assert seen[(personas.nord.pk, "ecoute-employee")] == 17
    assert seen[(personas.lille.pk, "ecoute-employee")] == 12
    client.logout()
    # Régis is in Nord: Nord minus Lille minus Arras is nobody, so he sees all three.
    _login(client, personas.region_manager)
    assert _api_figures(client, personas.nord, levels=1) == seen


def test_a_member_six_deep_in_a_group_of_six_sees_it(client, personas, make_wave, launch) -> None:
    # Six answered in Arras: Simon taking himself out leaves five, the threshold.
    period = period_of(timezone.localdate())
    wave = launch(make_wave())
    Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
    for index in range(6):
        _answer(wave, personas.arras, ContractType.PERMANENT, 1 + index % 5, period.start)
    _login(client, personas.sibling_manager)
    assert _api_figures(client, personas.arras)[(personas.arras.pk, "ecoute-employee")] == 6


def test_hidden_from_member_walks_up_until_their_part_holds_more_than_the_threshold() -> None:
    children = {"company": ["nord", "sud"], "nord": ["lille", "arras"], "sud": [], "lille": []}
    counts = {"company": 23, "nord": 17, "sud": 6, "lille": 12, "arras": 5}
    lineage = ["arras", "nord", "company"]
    hidden = gate.hidden_from_member(
        children, lineage, counts.__getitem__, lambda unit: counts[unit] >= 5, 5
    )
    # Arras is 5; without it Nord - Lille is Arras again; the company - Lille - Sud too.
    assert hidden == {"arras", "nord", "company"}
    counts["company"] = 29  # six more attached to the company itself: its part is 11
    hidden = gate.hidden_from_member(
        children, lineage, counts.__getitem__, lambda unit: counts[unit] >= 5, 5
    )
    assert hidden == {"arras", "nord"}
    # Someone in Lille, where 12 answered: nothing to hide.
    hidden = gate.hidden_from_member(
        children, ["lille", "nord", "company"], counts.__getitem__, lambda unit: True, 5
    )
    assert hidden == set()


def test_a_publication_shows_its_own_people_their_group_only_above_the_threshold(
    client, arras_at_the_threshold
) -> None:
    personas = arras_at_the_threshold
    anne = _member("Anne", "Arras", personas.arras, email="anne@example.com")
    period = period_of(timezone.localdate())
    publication = publication_publish(
        unit=personas.arras, period=period.label, actor=personas.direction
    ).publication
    url = reverse("reports:publication", args=[publication.pk])
    _login(client, personas.direction)
    seen = client.get(url).content.decode().count('class="suppressed"')
    client.logout()
    _login(client, anne.user)
    response = client.get(url)
    assert response.status_code == 200
    # Anne is one of Arras's five: its employee figures are the marker for her.
    assert response.content.decode().count('class="suppressed"') > seen
