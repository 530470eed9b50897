"""The network home of direction and region managers: attention, listening, heatmap."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _get(user, **params):
    client = Client()
    client.force_login(user)
    return client.get(reverse("core:home"), params)


def _heatmap(page: str, unit_id: int) -> str:
    start = page.index(f'data-testid="heatmap-{unit_id}"')
    return page[start : page.index("</table>", start)]


def test_direction_reads_the_company_with_a_heatmap_of_its_regions(results_data):
    people = results_data
    page = _get(people.direction).content.decode()
    assert f'data-testid="network-home-{people.company.pk}"' in page
    heatmap = _heatmap(page, people.company.pk)
    # A region's row leads to its own heatmap on the home.
    assert f"?unit={people.nord.pk}" in heatmap
    assert f"?unit={people.sud.pk}" in heatmap
    assert f'data-testid="listening-{people.company.pk}"' in page


def test_a_region_under_the_threshold_stays_suppressed_in_the_heatmap(results_data):
    people = results_data
    heatmap = _heatmap(_get(people.direction).content.decode(), people.company.pk)
    sud = heatmap[heatmap.index(f"?unit={people.sud.pk}") :]
    sud = sud[: sud.index("</tr>")]
    # Marseille's 3 employees: Sud's employee figures are hidden, so is every gap there.
    cells = re.findall(r'<td class="num ([\w-]+)"><a [^>]*>([^<]*)</a>', sud)
    assert cells and all(text == "•" and level == "heat-none" for level, text in cells)


def test_tapping_a_region_drills_down_to_its_shops(results_data):
    people = results_data
    page = _get(people.direction, unit=people.nord.pk).content.decode()
    assert f'data-testid="network-home-{people.nord.pk}"' in page
    heatmap = _heatmap(page, people.nord.pk)
    # Shops lead to their result page.
    assert reverse("reports:unit", args=[people.lille.pk]) in heatmap
    assert reverse("reports:unit", args=[people.arras.pk]) in heatmap
    assert "Marseille" not in heatmap


def test_region_manager_reads_their_region_only(results_data):
    people = results_data
    page = _get(people.region_manager).content.decode()
    assert f'data-testid="network-home-{people.nord.pk}"' in page
    # The region's own widest mirrors, as a shop manager reads their shop's.
    assert f'data-testid="mirrors-{people.nord.pk}"' in page
    assert "Marseille" not in page and "Sud" not in page
    assert f"network-home-{people.company.pk}" not in page


def test_region_manager_cannot_drill_into_another_region(results_data):
    people = results_data
    assert _get(people.region_manager, unit=people.sud.pk).status_code == 404
    assert _get(people.region_manager, unit=people.company.pk).status_code == 404


def test_a_shop_drilled_into_reads_as_the_unit_home(results_data):
    people = results_data
    page = _get(people.region_manager, unit=people.lille.pk).content.decode()
    assert f'data-testid="unit-home-{people.lille.pk}"' in page


def test_units_needing_attention_are_within_the_subtree(results_data):
    from django.utils import timezone

    from miroir.core.selectors import attention
    from miroir.org.selectors import scope_for_user
    from miroir.results.selectors import results_periods, results_session

    people = results_data
    scope = scope_for_user(people.region_manager)
    with results_session():
        found = attention(scope, people.nord, periods=results_periods(), now=timezone.now())
    assert {item.unit.pk for item in found} <= {people.lille.pk, people.arras.pk}
    for item in found:
        assert item.wide_gap or item.falling or item.late


def test_a_manager_of_a_shop_and_a_region_reads_both_the_broadest_first(results_data):
    from miroir.org.models import Member, RoleKind
    from miroir.org.services import role_grant

    people = results_data
    sophie = Member.objects.get(user=people.shop_manager)
    role_grant(member=sophie, kind=RoleKind.MANAGER, unit=people.sud)
    page = _get(people.shop_manager).content.decode()
    network = page.index(f'data-testid="network-home-{people.sud.pk}"')
    unit = page.index(f'data-testid="unit-home-{people.lille.pk}"')
    personal = page.index('data-testid="personal-home"')
    assert network < unit < personal
    assert "Arras" not in page


def test_a_region_whose_shops_are_under_the_threshold_shows_no_figure(results_data):
    from miroir.results.selectors import experience_symmetry, results_periods

    people = results_data
    page = _get(people.other_region_manager).content.decode()
    assert f'data-testid="network-home-{people.sud.pk}"' in page
    # Marseille's 3 employees: no gap can be shown there, by the gate or on the home.
    rows = experience_symmetry(unit=people.marseille, period=results_periods()[-1])
    assert rows and all(row.gaps["employee"].value is None for row in rows)
    heatmap = _heatmap(page, people.sud.pk)
    cells = re.findall(r'<td class="num ([\w-]+)"><a [^>]*>([^<]*)</a>', heatmap)
    assert cells and all(text == "•" for _level, text in cells)
    assert "Lille" not in page and "Nord" not in page
