"""An anonymous voice is never shown with a unit of one to a few people.

The attack: Marius is the only employee of Marseille (and of the Sud region). He sends an
anonymous suggestion; the direction reads it through the API and the inbox, where its
unit, Marseille, would name him. A voice's unit is shown everywhere (inbox, board, « vous
avez dit, nous avons fait », API, listening counts), so an anonymous one is filed under the
nearest unit holding at least the gate's verbatim threshold of people of its lens.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from miroir.org.models import ContractType, Lens, Member
from miroir.results import gate
from miroir.voices.services import anonymous_unit, voice_submit
from tests.voices.conftest import T0

THRESHOLD_LESS = [0, 1, 3]


def _hire(unit, count: int, *, partner_like: Member | None = None) -> None:
    """Hire ``count`` permanent employees into ``unit`` (partners like ``partner_like``)."""
    partner = {}
    if partner_like is not None:
        partner = {
            "contract_type": ContractType.PARTNER,
            "partner_organisation": partner_like.partner_organisation,
            "proximity": partner_like.proximity,
        }
    for index in range(count):
        Member.objects.create(
            first_name=f"Recrue{index}",
            last_name=unit.name,
            unit=unit,
            **({"contract_type": ContractType.PERMANENT} | partner),
        )


def test_the_only_employee_of_a_shop_is_not_named_by_his_anonymous_voice(personas):
    voice = voice_submit(
        author=personas.marius, kind="suggestion", text="Des tabourets en réserve", anonymous=True
    ).voice
    assert voice.unit not in (personas.marseille, personas.sud)
    assert voice.unit == personas.company  # nobody else works in Sud: the company it is
    signed = voice_submit(author=personas.marius, kind="suggestion", text="Un vestiaire").voice
    assert signed.unit == personas.marseille  # a signed voice is his anyway


@pytest.mark.parametrize("lens", [Lens.EMPLOYEE, Lens.PARTNER])
@pytest.mark.parametrize("short", THRESHOLD_LESS)
def test_an_anonymous_voice_stays_in_its_team_exactly_when_the_team_reaches_the_threshold(
    personas, lens, short
):
    author = personas.partner_member if lens == Lens.PARTNER else personas.marius
    paul = personas.partner_member
    team = author.unit
    threshold = gate.verbatim_threshold(lens)
    # People of the other lens do not count: they are not among those the voice could be from.
    _hire(team, threshold, partner_like=paul if lens == Lens.EMPLOYEE else None)
    same_lens = Member.objects.filter(unit__path__startswith=team.path, is_active=True)
    same_lens = [member for member in same_lens if member.lens == lens]
    _hire(
        team,
        threshold - short - len(same_lens),
        partner_like=paul if lens == Lens.PARTNER else None,
    )
    filed = anonymous_unit(author)
    if short == 0:
        assert filed == team
    else:
        assert filed != team and team.path.startswith(filed.path)
    # Whatever it is filed under holds enough people of its lens, or is the company.
    people = [
        member
        for member in Member.objects.filter(unit__path__startswith=filed.path, is_active=True)
        if member.lens == lens
    ]
    assert len(people) >= threshold or filed.parent_id is None


def test_the_api_and_the_inbox_show_the_unit_it_is_filed_under(client, personas):
    _hire(personas.lille_vente, gate.verbatim_threshold(Lens.EMPLOYEE))
    voice = voice_submit(
        author=personas.marius, kind="suggestion", text="Des tabourets", anonymous=True, now=T0
    ).voice
    client.force_login(personas.direction)
    answer = client.get(f"/api/v1/voices/{voice.pk}")
    assert answer.status_code == 200
    assert answer.json()["unit"] == personas.company.pk
    inbox = reverse("voices:inbox")
    assert "tabourets" in client.get(inbox).content.decode()
    # Asking the inbox for Marseille's voices (or Sud's) does not bring it back either.
    for unit in (personas.marseille, personas.sud):
        assert "tabourets" not in client.get(inbox, {"unit": unit.pk}).content.decode()
