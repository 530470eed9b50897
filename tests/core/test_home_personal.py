"""Everyone's own part of the home: surveys waiting, voices, published results, ideas."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from miroir.collect.models import Invitation
from miroir.results.services import publication_publish
from miroir.voices.models import Voice
from miroir.voices.services import voice_submit

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def _surveys(page: str) -> str:
    start = page.index("<h3", page.index('data-testid="personal-home"'))
    return page[start : page.index("<h3", start + 3)]


def test_employee_gets_the_personal_home_only(results_data):
    people = results_data
    page = _home(people.employee)
    assert 'data-testid="personal-home"' in page
    assert "unit-home-" not in page and "network-home-" not in page


def test_an_open_link_wave_of_the_unit_can_be_answered_from_home(personas, make_wave, launch):
    wave = launch(make_wave(name="Pulse lien", units=[personas.lille], channels=["link"]))
    wave.open_links = True
    wave.save(update_fields=["open_links"])
    launch(make_wave(name="Pulse clients", lens="customer", units=[personas.lille]))
    launch(make_wave(name="Pulse Sud", units=[personas.sud], channels=["link"]))
    surveys = _surveys(_home(personas.employee))
    url = reverse("collect:respond_open", args=[wave.public_id, personas.lille_vente.pk])
    assert url in surveys
    assert "Pulse clients" not in surveys
    assert "Pulse Sud" not in surveys


def test_an_invited_survey_reads_the_same_answered_or_not(personas, make_wave, launch):
    wave = launch(make_wave(name="Pulse invitée", units=[personas.lille], channels=["email"]))
    invitation = Invitation.objects.get(wave=wave, member=personas.employee_member)
    before = _surveys(_home(personas.employee))
    assert "Pulse invitée" in before
    Invitation.objects.filter(pk=invitation.pk).update(used=True)
    assert _surveys(_home(personas.employee)) == before


def test_my_voices_and_their_answers_are_listed_for_me_alone(personas):
    voice = voice_submit(
        author=personas.employee_member, kind="suggestion", text="Deux caisses"
    ).voice
    Voice.objects.filter(pk=voice.pk).update(answer_unread=True)
    page = _home(personas.employee)
    assert reverse("voices:mine_detail", args=[voice.pk]) in page
    assert reverse("voices:mine_detail", args=[voice.pk]) not in _home(personas.partner)


def test_results_published_to_my_unit_come_with_a_chart(results_data):
    from miroir.results.selectors import results_periods

    people = results_data
    period = results_periods()[-1]
    published = publication_publish(unit=people.lille, period=period, actor=people.shop_manager)
    url = reverse("reports:publication", args=[published.publication.pk])
    page = _home(people.employee)
    assert url in page
    assert 'class="chart-svg"' in page
    # The partner of the shop reads it through their lens; the sibling shop's people don't.
    assert url in _home(people.partner)
    assert url not in _home(people.sibling_manager)


def test_outsider_sees_no_part_and_anonymous_is_sent_to_log_in(personas):
    page = _home(personas.outsider)
    assert "personal-home" not in page and "unit-home-" not in page
    response = Client().get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_partner_reads_the_publication_without_a_chart_of_what_they_were_not_asked(
    results_data,
):
    from miroir.results.selectors import results_periods

    people = results_data
    published = publication_publish(
        unit=people.lille, period=results_periods()[-1], actor=people.shop_manager
    )
    page = _home(people.partner)
    assert reverse("reports:publication", args=[published.publication.pk]) in page
    # Partners were asked nothing in this world: no chart of customers alone.
    assert 'class="chart-svg"' not in page


def test_a_manager_invited_to_estimate_finds_it_among_their_surveys(personas, make_wave, launch):
    wave = launch(make_wave(name="Estimation T1", lens="management", units=[personas.lille]))
    invited = Invitation.objects.filter(wave=wave, member__user=personas.shop_manager)
    assert invited.exists()
    assert "Estimation T1" in _surveys(_home(personas.shop_manager))
    assert "Estimation T1" not in _surveys(_home(personas.employee))


def test_a_map_to_fill_and_the_maps_published_are_on_the_home(personas, open_map):
    from miroir.journeys.services import map_wave_close

    answer = reverse("maps:respond", args=[open_map.public_id])
    assert answer in _home(personas.employee)
    # Another region's member has no seat in it.
    assert answer not in _home(personas.other_region_manager)
    [publication] = map_wave_close(wave=open_map, actor=personas.direction)
    published = reverse("maps:published", args=[publication.pk])
    page = _home(personas.employee)
    assert published in page and answer not in page
    assert published not in _home(personas.sibling_manager)
