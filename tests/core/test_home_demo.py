"""The demo's logins each find their home filled with the demo's retail network."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from miroir.demo.selectors import demo_truth
from miroir.org.models import Member
from tests.demo.support import run_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: None, settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    run_demo("--regions", "2", "--shops", "12")


def _home(key: str) -> tuple[Member, str]:
    member = Member.objects.select_related("user", "unit").get(
        email=demo_truth("org", "personas")[key]["email"]
    )
    client = Client()
    client.force_login(member.user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return member, response.content.decode()


def test_each_demo_login_reads_its_own_home(demo):
    _employee, page = _home("employee")
    assert 'data-testid="surveys"' in page
    assert 'data-testid="publications"' in page
    assert "unit-home-" not in page and "network-home-" not in page

    manager, page = _home("shop_manager")
    assert f'data-testid="unit-home-{manager.unit_id}"' in page
    assert 'class="chart-svg"' in page
    assert 'data-testid="personal-home"' in page

    region, page = _home("region_manager")
    assert 'data-testid="heatmap-' in page
    assert f"network-home-{region.unit.parent_id}" not in page

    direction, page = _home("direction")
    assert f'data-testid="heatmap-{direction.unit_id}"' in page
    assert f'data-testid="attention-{direction.unit_id}"' in page
