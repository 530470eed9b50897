"""A management wave reaches the roles it names within its subtrees (shop, regional managers,
the direction), so that estimate waves and the proximity survey reach the right people."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from miroir.collect.models import Invitation, Response, Wave
from miroir.collect.selectors import audience_plan
from miroir.org.models import Member
from miroir.results.periods import period_of
from miroir.results.selectors.estimates import unit_estimates
from tests.collect.support import submit, token_for
from tests.collect.test_wave_views import _form, _login, _url

pytestmark = pytest.mark.django_db


def _invited(wave: Wave) -> set[tuple[str, str]]:
    return {(p.member.first_name, p.unit.name) for p in audience_plan(wave)}


def test_without_roles_every_manager_of_the_subtrees_is_invited(make_wave) -> None:
    wave = make_wave(lens="management")
    assert _invited(wave) == {
        ("Régis", "Nord"),
        ("Rose", "Sud"),
        ("Sophie", "Lille"),
        ("Simon", "Arras"),
    }


def test_shop_managers_only(make_wave) -> None:
    wave = make_wave(lens="management", roles=["shop_managers"])
    assert _invited(wave) == {("Sophie", "Lille"), ("Simon", "Arras")}


def test_regional_managers_within_one_region(personas, make_wave) -> None:
    wave = make_wave(lens="management", roles=["regional_managers"], units=[personas.nord])
    assert _invited(wave) == {("Régis", "Nord")}


def test_the_direction_estimates_for_the_company_and_is_attributed(
    personas, make_wave, launch
) -> None:
    wave = launch(make_wave(lens="management", roles=["direction"]))
    assert _invited(wave) == {("Diane", "Miroir Retail")}
    diane = Member.objects.get(user=personas.direction)
    submit(token_for(wave, diane), {"ecoute-management": "3"})
    assert Response.objects.get(wave=wave).author == diane
    (estimate,) = unit_estimates(
        unit=personas.company, period=period_of(timezone.localdate()), language="en"
    )
    assert (estimate.author, estimate.label) == ("Diane Direction", "the direction's estimate")


def test_the_direction_is_not_invited_to_a_wave_below_the_top(personas, make_wave) -> None:
    wave = make_wave(lens="management", roles=["direction", "shop_managers"], units=[personas.sud])
    assert _invited(wave) == set()


def test_roles_narrow_management_waves_only_and_must_be_known(make_wave) -> None:
    with pytest.raises(ValidationError) as employee:
        make_wave(lens="employee", roles=["shop_managers"])
    assert "roles" in employee.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        make_wave(lens="management", roles=["cashiers"])
    assert "cashiers" in str(unknown.value.message_dict["roles"])
    assert not Wave.objects.exists()


def test_the_wave_form_sets_the_roles_and_the_launch_invites_them(
    client, personas, instrument, launch
) -> None:
    _login(client, personas.direction)
    form = _form(personas, instrument, lens="management", attributes=[], roles=["shop_managers"])
    assert client.post(_url("wave_create"), form).status_code == 302
    wave = Wave.objects.get()
    assert wave.roles == ["shop_managers"]
    page = client.get(_url("wave_detail", wave.pk)).content.decode()
    assert "Shop managers" in page or "Responsables de magasin" in page
    launch(wave)
    assert set(Invitation.objects.filter(wave=wave).values_list("unit__name", flat=True)) == {
        "Lille",
        "Arras",
    }


def test_a_shop_manager_cannot_create_a_roles_wave(client, personas, instrument) -> None:
    _login(client, personas.shop_manager)
    form = _form(personas, instrument, lens="management", roles=["shop_managers"])
    assert client.post(_url("wave_create"), form).status_code == 403
    assert not Wave.objects.exists()
