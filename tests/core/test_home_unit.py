"""The shop manager's home: their unit's index, widest mirrors, estimates, counts, voices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from miroir.collect.models import Invitation, Response, WaveStatus
from miroir.voices.models import Voice

pytestmark = pytest.mark.django_db


def _home(user, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:home"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_shop_manager_reads_their_unit_and_not_the_sibling_shop(results_data):
    people = results_data
    page = _home(people.shop_manager)
    assert f'data-testid="unit-home-{people.lille.pk}"' in page
    assert f'data-testid="mirrors-{people.lille.pk}"' in page
    assert 'data-testid="personal-home"' in page
    # The unit home, not the network's: no heatmap, no other shop.
    assert "heatmap" not in page
    assert "Arras" not in page
    assert "Marseille" not in page


def test_sibling_manager_reads_only_their_shop(results_data):
    people = results_data
    page = _home(people.sibling_manager)
    assert f'data-testid="unit-home-{people.arras.pk}"' in page
    assert f"unit-home-{people.lille.pk}" not in page
    assert "Lille" not in page


def test_the_widest_mirrors_are_the_gate_s_figures(results_data):
    from miroir.core.selectors import largest_gaps
    from miroir.results.selectors import experience_symmetry, results_periods

    people = results_data
    period = results_periods()[-1]
    expected = largest_gaps(experience_symmetry(unit=people.lille, period=period), 3)
    page = _home(people.shop_manager)
    for row in expected:
        assert row.mirror.label_fr in page or row.mirror.label_en in page
    assert expected, "Lille's customers and employees answer the same mirrors"


def test_another_unit_of_the_manager_s_own_is_a_404(results_data):
    people = results_data
    client = Client()
    client.force_login(people.shop_manager)
    assert client.get(reverse("core:home"), {"unit": people.arras.pk}).status_code == 404
    assert client.get(reverse("core:home"), {"unit": people.nord.pk}).status_code == 404
    assert client.get(reverse("core:home"), {"unit": "x"}).status_code == 404


def test_participation_under_the_threshold_stays_hidden(results_data, make_wave, launch):
    people = results_data
    wave = launch(make_wave(name="Pulse ouverte", units=[people.lille], channels=["link"]))
    assert wave.status == WaveStatus.OPEN
    yesterday = timezone.localdate() - timedelta(days=1)
    for _ in range(2):
        Response.objects.create(
            wave=wave, unit=people.lille_vente, lens="employee", submitted_on=yesterday
        )
    page = _home(people.shop_manager)
    section = page[page.index(f'data-testid="participation-{people.lille.pk}"') :]
    section = section[: section.index("</ul>")]
    assert "Pulse ouverte" in section
    assert "2 responses" not in section and "2 réponses" not in section
    assert "•" in section
    assert Invitation.objects.filter(wave=wave).exists()


def test_late_voices_are_counted_and_linked(results_data):
    from miroir.voices.services import complaint_receive

    people = results_data
    long_ago = timezone.now() - timedelta(days=40)
    voice = complaint_receive(
        text="Trop d'attente en caisse", source="api", unit=people.lille, now=long_ago
    ).voice
    Voice.objects.filter(pk=voice.pk).update(redacted_title="Attente en caisse")
    page = _home(people.shop_manager)
    assert f'data-testid="voices-due-{people.lille.pk}"' in page
    assert reverse("voices:detail", args=[voice.pk]) in page
    # The sibling shop's manager does not see it.
    assert reverse("voices:detail", args=[voice.pk]) not in _home(people.sibling_manager)


def test_the_manager_s_own_attributed_estimate_faces_what_employees_say(results_data):
    from miroir.collect.models import Answer, Wave
    from miroir.org.models import Member
    from tests.reports.support import last_quarter_days

    people = results_data
    wave = Wave.objects.filter(lens="management").order_by("-pk").first()
    item = wave.instrument.items.get(lens="management", mirror__isnull=False, scale="agree5")
    sophie = Member.objects.get(user=people.shop_manager)
    response = Response.objects.create(
        wave=wave,
        unit=people.lille,
        lens="management",
        submitted_on=last_quarter_days()[0],
        channel="link",
        author=sophie,
    )
    Answer.objects.create(response=response, item=item, number=5)
    page = _home(people.shop_manager)
    section = page[page.index(f'data-testid="estimates-{people.lille.pk}"') :]
    section = section[: section.index("</ul>")]
    assert "Sophie Lille" in section and "#section-estimate" in section
    # Shown at her unit only, to those who read its results.
    assert "Sophie Lille" not in _home(people.sibling_manager)
    assert "Sophie Lille" not in _home(people.employee)
