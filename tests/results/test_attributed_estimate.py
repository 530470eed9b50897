"""Management's estimate is an attributed professional judgement (MIROIR_ESTIMATE_ATTRIBUTED).

A manager's estimate for their own unit is kept with its author, shown at that unit only,
labelled with their name, and never summed with other answers; the anonymous management
figures keep the gate's threshold; employee responses stay unlinkable; the setting off
restores the anonymous rule (docs/anonymity.md).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from miroir.collect.models import Answer, Response, Wave, WaveStatus
from miroir.collect.services import wave_close
from miroir.instruments.models import Item
from miroir.org.models import Lens, Member, Unit
from miroir.privacy.services import member_erase
from miroir.results import selectors
from miroir.results.models import RollupResponses
from miroir.results.periods import period_of
from miroir.results.selectors.estimates import unit_estimates
from miroir.results.services import rollups_rebuild
from tests.collect.support import EMPLOYEE_ANSWERS, submit, token_for
from tests.personas import PASSWORD
from tests.results.test_gate_properties import _leaks

pytestmark = pytest.mark.django_db


def _member(user) -> Member:
    return Member.objects.get(user=user)


def _period():
    return period_of(timezone.localdate())


@pytest.fixture
def estimate_wave(personas, make_wave, launch) -> Wave:
    """Return an open management wave over the company: Régis, Rose, Sophie, Simon invited."""
    return launch(make_wave(name="Estimation T1", lens="management"))


def _estimate(wave: Wave, user, value: int) -> None:
    assert submit(token_for(wave, _member(user)), {"ecoute-management": str(value)})


def test_a_managers_estimate_keeps_its_author_and_stays_out_of_the_rollups(
    personas, estimate_wave
) -> None:
    _estimate(estimate_wave, personas.shop_manager, 2)
    response = Response.objects.get(wave=estimate_wave)
    assert response.author == _member(personas.shop_manager)
    assert response.unit == personas.lille
    assert not RollupResponses.objects.filter(lens=Lens.MANAGEMENT).exists()
    rollups_rebuild()
    assert not RollupResponses.objects.filter(lens=Lens.MANAGEMENT).exists()


def test_employee_responses_carry_no_identity(personas, make_wave, launch) -> None:
    wave = launch(make_wave())
    submit(token_for(wave, personas.employee_member), EMPLOYEE_ANSWERS)
    response = Response.objects.get(wave=wave)
    assert response.author_id is None and response.invitation_id is None
    # The database itself refuses an author on any response but management's.
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=response.pk).update(author=personas.employee_member)


def test_the_estimate_is_shown_at_the_managers_own_unit_only_and_labelled(
    personas, estimate_wave
) -> None:
    _estimate(estimate_wave, personas.shop_manager, 2)
    _estimate(estimate_wave, personas.region_manager, 5)
    wave_close(wave=estimate_wave, actor=personas.admin)
    period = _period()
    (lille,) = unit_estimates(unit=personas.lille, period=period, language="en")
    assert (lille.author, lille.label) == ("Sophie Lille", "the manager's estimate")
    (answer,) = lille.answers
    assert (answer.item_code, answer.score) == ("ecoute-management", 25.0)
    (nord,) = unit_estimates(unit=personas.nord, period=period, language="en")
    assert (nord.author, nord.label) == ("Régis Nord", "the regional estimate")
    assert nord.answers[0].score == 100.0
    # Not at the units above or beside: an estimate is never rolled up.
    assert unit_estimates(unit=personas.company, period=period) == []
    assert unit_estimates(unit=personas.arras, period=period) == []
    # The anonymous management figures hold nobody: hidden everywhere.
    results = selectors.unit_results(
        unit=personas.company, lens=Lens.MANAGEMENT, period=period, levels=None
    )
    assert all(figure.suppressed for figure in results.figures)


def _login(client, user) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.login(username=user.email, password=PASSWORD)


def test_the_unit_page_api_and_export_name_the_manager_to_those_who_read_the_unit(
    client, personas, estimate_wave
) -> None:
    _estimate(estimate_wave, personas.shop_manager, 4)
    wave_close(wave=estimate_wave, actor=personas.admin)
    period = _period().label
    _login(client, personas.region_manager)
    page = client.get(reverse("reports:unit", args=[personas.lille.pk]), {"period": period})
    assert page.status_code == 200
    assert "Sophie Lille, the manager&#x27;s estimate" in page.content.decode()
    export = client.get(
        reverse("reports:unit_export", args=[personas.lille.pk, "estimate", "csv"]),
        {"period": period},
    )
    assert "Sophie Lille" in b"".join(export.streaming_content).decode()
    nord = client.get(reverse("reports:unit", args=[personas.nord.pk]), {"period": period})
    assert "Sophie Lille, the" not in nord.content.decode()
    api = client.get(
        f"/api/v1/results/units/{personas.lille.pk}/estimates", {"period": period}
    ).json()
    assert [(e["author"], e["answers"][0]["score"]) for e in api] == [("Sophie Lille", 75.0)]


@pytest.mark.parametrize(
    ("user", "status"), [("sibling_manager", 404), ("other_region_manager", 404), ("employee", 403)]
)
def test_readers_outside_the_unit_get_no_estimate(
    client, personas, estimate_wave, user, status
) -> None:
    _estimate(estimate_wave, personas.shop_manager, 4)
    _login(client, getattr(personas, user))
    url = f"/api/v1/results/units/{personas.lille.pk}/estimates"
    assert client.get(url).status_code == status
    assert client.get(reverse("reports:unit", args=[personas.lille.pk])).status_code == status


def test_the_form_says_the_estimate_is_attributed_before_anyone_answers(
    client, personas, estimate_wave, settings
) -> None:
    token = token_for(estimate_wave, _member(personas.shop_manager))
    page = client.get(reverse("collect:respond", args=[token])).content.decode()
    assert 'data-testid="estimate-attributed"' in page and "Sophie Lille" in page
    settings.MIROIR_ESTIMATE_ATTRIBUTED = False
    page = client.get(reverse("collect:respond", args=[token])).content.decode()
    assert "estimate-attributed" not in page and "Sophie Lille" not in page


def test_with_the_setting_off_the_estimate_is_anonymous_and_hidden(
    personas, estimate_wave, settings
) -> None:
    _estimate(estimate_wave, personas.sibling_manager, 3)
    settings.MIROIR_ESTIMATE_ATTRIBUTED = False
    _estimate(estimate_wave, personas.shop_manager, 2)
    wave_close(wave=estimate_wave, actor=personas.admin)
    anonymous = Response.objects.get(wave=estimate_wave, unit=personas.lille)
    assert anonymous.author_id is None
    assert RollupResponses.objects.filter(lens=Lens.MANAGEMENT).count() == 1
    period = _period()
    # Neither the estimate given attributed (Arras) nor the anonymous one is shown.
    assert unit_estimates(unit=personas.arras, period=period) == []
    assert unit_estimates(unit=personas.lille, period=period) == []
    results = selectors.unit_results(
        unit=personas.company, lens=Lens.MANAGEMENT, period=period, levels=None
    )
    assert all(figure.suppressed for figure in results.figures)


def test_erasing_a_manager_deletes_their_attributed_estimates(personas, estimate_wave) -> None:
    _estimate(estimate_wave, personas.shop_manager, 4)
    member_erase(member=_member(personas.shop_manager), actor=personas.admin)
    assert not Response.objects.filter(wave=estimate_wave).exists()


# -- property: over small random networks, no anonymous management figure under k leaves --

MANAGED = {"nord": "region_manager", "sud": "other_region_manager", "lille": "shop_manager"}
MANAGED |= {"arras": "sibling_manager"}


@pytest.mark.parametrize("seed", range(6))
def test_no_anonymous_management_group_under_the_threshold_is_released(
    personas, make_wave, seed
) -> None:
    rng = random.Random(seed)
    wave = make_wave(name=f"Estimation {seed}", lens="management", channels=["link"])
    Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
    item = Item.objects.get(code="ecoute-management")
    day = _period().start
    names = ["company", "nord", "sud", "lille", "arras", "marseille", "lille_vente"]
    anonymous: dict[int, int] = {}
    attributed: dict[int, int] = {}
    for name in names:
        unit: Unit = getattr(personas, name)
        anonymous[unit.pk] = rng.choice([0, 0, 1, 2, 3, 4, 5, 6])
        for _ in range(anonymous[unit.pk]):
            _store(wave, unit, item, rng.randint(1, 5), day, author=None)
        if name in MANAGED and rng.random() < 0.7:
            attributed[unit.pk] = rng.randint(1, 5)
            author = _member(getattr(personas, MANAGED[name]))
            _store(wave, unit, item, attributed[unit.pk], day, author=author)
    rollups_rebuild()
    period = _period()
    released = selectors.unit_results(
        unit=personas.company, lens=Lens.MANAGEMENT, period=period, levels=None, with_change=False
    )
    paths = dict(Unit.objects.values_list("pk", "path"))
    keys = sorted(anonymous)
    rows = []
    for figure in released.figures:
        if figure.suppressed:
            continue
        inside = [pk for pk in keys if paths[pk].startswith(paths[figure.unit_id])]
        # Only anonymous answers are in a figure: the estimates are never summed.
        assert figure.n == sum(anonymous[pk] for pk in inside)
        assert figure.n >= released.threshold
        rows.append(np.array([1.0 if pk in inside else 0.0 for pk in keys]))
    if sum(anonymous.values()) >= released.threshold:
        assert rows, "the company's anonymous figure is shown"
    atoms = {pk: anonymous[pk] for pk in keys}
    assert _leaks(rows, atoms, keys, released.threshold) == []
    for name in names:
        unit = getattr(personas, name)
        shown = unit_estimates(unit=unit, period=period)
        expected = [attributed[unit.pk]] if unit.pk in attributed else []
        assert [round(e.answers[0].score / 25) + 1 for e in shown] == expected
    for pk in keys:
        unit = Unit.objects.get(pk=pk)
        gaps = selectors.perception_gaps(unit=unit, period=period)
        for gap in gaps:
            management = gap.management
            if management is not None and not management.suppressed:
                inside = [k for k in keys if paths[k].startswith(unit.path)]
                assert management.n == sum(anonymous[k] for k in inside) >= released.threshold


def _store(wave, unit, item, value, day, *, author) -> None:
    response = Response.objects.create(
        wave=wave,
        unit=unit,
        lens=Lens.MANAGEMENT,
        submitted_on=day,
        channel="link",
        author=author,
    )
    Answer.objects.create(response=response, item=item, number=value)


def test_a_managers_data_export_lists_their_estimates_and_an_employees_nothing(
    personas, estimate_wave, make_wave, launch
) -> None:
    from miroir.privacy.selectors import contact_query
    from miroir.privacy.services import contact_export

    _estimate(estimate_wave, personas.shop_manager, 4)
    wave = launch(make_wave(units=[personas.lille_vente]))
    submit(token_for(wave, personas.employee_member), EMPLOYEE_ANSWERS)
    sophie = contact_export(query=contact_query(email="sophie@example.com"), actor=personas.admin)
    [member] = sophie["members"]
    [estimate] = member["attributed_estimates"]
    assert (estimate["unit"], estimate["answers"]) == ("Lille", {"ecoute-management": 4.0})
    emile = contact_export(query=contact_query(email="emile@example.com"), actor=personas.admin)
    assert emile["members"][0]["attributed_estimates"] == []
