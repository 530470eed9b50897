from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from miroir.journeys.models import Journey
from miroir.journeys.services import map_wave_create, map_wave_open
from miroir.org.models import Member
from miroir.org.services import member_sync_user
from tests.personas import PASSWORD


def staff(unit, count: int, prefix: str = "vendeur") -> list:
    """Return ``count`` new employees of ``unit`` with logins, to answer maps."""
    users = []
    for index in range(count):
        member = Member.objects.create(
            first_name=f"{prefix.title()}{index}",
            last_name="Test",
            email=f"{prefix}{index}.{unit.pk}@example.com",
            unit=unit,
            contract_type="permanent",
        )
        user = member_sync_user(member)
        user.set_password(PASSWORD)
        user.save()
        users.append(user)
    return users


@pytest.fixture
def open_map(personas):
    wave = map_wave_create(
        name="Carte du parcours client",
        journey=Journey.objects.get(code="shop"),
        unit=personas.lille,
        closes_at=timezone.now() + timedelta(days=14),
        actor=personas.direction,
    )
    return map_wave_open(wave=wave, actor=personas.direction)
