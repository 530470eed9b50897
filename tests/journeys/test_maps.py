from __future__ import annotations

import pytest
from django.test import override_settings

from miroir.audit.models import AuditEntry
from miroir.journeys.figures import unit_map
from miroir.journeys.models import (
    MapAnswer,
    MapPublication,
    MapReceipt,
    MapResponse,
    MapWaveStatus,
)
from miroir.journeys.selectors import map_waves_to_answer, published_map_for
from miroir.journeys.services import (
    MapError,
    map_publication_hold,
    map_publication_restore,
    map_submit,
    map_wave_close,
)
from tests.journeys.conftest import staff

# The planted disagreement: employees find the checkout painful and a moment of truth;
# their manager thinks it goes well and is no moment of truth.
EMPLOYEE_CHECKOUT = [(2, "frustration", True), (2, "frustration", True), (3, "worry", True),
                     (1, "anger", True), (2, "trust", False)]  # fmt: skip


def _answer(wave, user, satisfaction, emotion, truth, solution=""):
    return map_submit(
        wave=wave,
        user=user,
        answers={
            "checkout": {"satisfaction": satisfaction, "emotion": emotion,
                         "moment_of_truth": truth, "solution": solution},
            "arrival": {"satisfaction": 4, "moment_of_truth": False},
        },
    )  # fmt: skip


def _fill(personas, wave, employees):
    for user, rating in zip(employees, EMPLOYEE_CHECKOUT, strict=False):
        _answer(wave, user, *rating)
    _answer(wave, personas.shop_manager, 4, "joy", False, "Ouvrir une caisse de plus le samedi")


def test_employee_answers_keep_no_identity_and_the_estimate_is_attributed(personas, open_map):
    employees = staff(personas.lille, 5)
    _fill(personas, open_map, employees)
    employee_rows = MapResponse.objects.filter(wave=open_map, lens="employee")
    assert employee_rows.count() == 5
    assert set(employee_rows.values_list("manager", flat=True)) == {None}
    estimate = MapResponse.objects.get(wave=open_map, lens="management")
    assert estimate.manager.user == personas.shop_manager and estimate.unit == personas.lille
    # Nothing in a response leads to its author: no member, no time finer than the day.
    fields = {field.name for field in MapResponse._meta.get_fields()}
    assert fields == {"id", "wave", "unit", "lens", "submitted_on", "manager", "answers"}


@override_settings(MIROIR_ESTIMATE_ATTRIBUTED=False)
def test_with_the_setting_off_the_estimate_is_stored_without_its_author(personas, open_map):
    _answer(open_map, personas.shop_manager, 4, "joy", False)
    assert MapResponse.objects.get(wave=open_map, lens="management").manager is None


def test_a_second_answer_is_refused_and_nothing_is_stored(personas, open_map):
    [user] = staff(personas.lille, 1)
    _answer(open_map, user, 3, "", None)
    assert open_map not in map_waves_to_answer(user)
    with pytest.raises(MapError, match="déjà répondu"):
        _answer(open_map, user, 5, "", None)
    assert MapResponse.objects.filter(wave=open_map).count() == 1


def test_bad_ratings_are_refused_by_moment_and_nothing_is_stored(personas, open_map):
    [user] = staff(personas.lille, 1)
    with pytest.raises(
        MapError, match=r"checkout\S*: la satisfaction est un nombre entier de 1 à 5"
    ):
        _answer(open_map, user, 9, "", None)
    with pytest.raises(MapError, match=r"Pas un moment de ce parcours\S*: first_day"):
        map_submit(wave=open_map, user=user, answers={"first_day": {"satisfaction": 3}})
    assert not MapAnswer.objects.exists() and not MapReceipt.objects.exists()


def test_someone_outside_the_unit_cannot_answer(personas, open_map):
    with pytest.raises(MapError, match="ne vous est pas destinée"):
        _answer(open_map, personas.sibling_manager, 3, "", None)
    marius = personas.marius.user
    assert marius is None or open_map not in map_waves_to_answer(marius)


def test_an_open_wave_shows_no_map(personas, open_map):
    _fill(personas, open_map, staff(personas.lille, 5))
    data = unit_map(open_map, personas.lille)
    assert not data["released"] and data["moments"] == []


def test_the_gap_figures_match_the_hand_computed_case(personas, open_map):
    _fill(personas, open_map, staff(personas.lille, 5))
    map_wave_close(wave=open_map, actor=personas.direction)
    open_map.refresh_from_db()
    data = unit_map(open_map, personas.lille)
    checkout = next(row for row in data["moments"] if row["code"] == "checkout")
    assert checkout["employee"]["satisfaction"] == pytest.approx(2.0)
    assert checkout["management"]["satisfaction"] == 4
    gap = checkout["satisfaction_gap"]
    assert (gap["value"], gap["low"], gap["high"]) == pytest.approx(
        (-2.0, -2.87799, -1.12201), abs=1e-5
    )
    truth = checkout["truth_gap"]
    assert (truth["value"], truth["low"], truth["high"]) == pytest.approx(
        (0.8, 0.37553, 0.96378), abs=1e-5
    )
    assert checkout["one_sided"] == "employee"
    assert checkout["employee"]["emotion"] == "frustration"
    assert data["lenses"]["management"]["by"][0].startswith("Sophie")


def test_under_five_employees_are_hidden_but_the_estimate_is_shown_and_named(personas, open_map):
    _fill(personas, open_map, staff(personas.lille, 4))
    map_wave_close(wave=open_map, actor=personas.direction)
    open_map.refresh_from_db()
    data = unit_map(open_map, personas.lille)
    assert data["lenses"]["employee"]["suppressed"] and data["lenses"]["employee"]["n"] is None
    checkout = next(row for row in data["moments"] if row["code"] == "checkout")
    assert checkout["employee"] is None and checkout["satisfaction_gap"] is None
    assert checkout["management"]["satisfaction"] == 4
    assert data["lenses"]["management"]["attributed"]
    assert data["lenses"]["management"]["by"][0].startswith("Sophie")
    # Employees' solutions are hidden under 10; the manager's own is shown, as theirs.
    [group] = data["solutions"]["groups"]
    assert group["employee"] == [] and group["management"] == [
        "Ouvrir une caisse de plus le samedi"
    ]


def test_a_team_under_five_inside_a_visible_shop_is_hidden_by_complementary_suppression(
    personas, open_map
):
    # Lille has 5 employees in its sales team and 3 at the checkout: the checkout team is
    # too small, and Lille minus the sales team would isolate it, so the sales team hides.
    for user in staff(personas.lille_vente, 5, "vente") + staff(personas.lille_caisse, 3, "caisse"):
        _answer(open_map, user, 3, "", True)
    map_wave_close(wave=open_map, actor=personas.direction)
    open_map.refresh_from_db()
    assert not unit_map(open_map, personas.lille)["lenses"]["employee"]["suppressed"]
    assert unit_map(open_map, personas.lille_caisse)["lenses"]["employee"]["suppressed"]
    assert unit_map(open_map, personas.lille_vente)["lenses"]["employee"]["suppressed"]


def test_the_close_publishes_frozen_maps_and_withdrawing_needs_a_reason(personas, open_map):
    _fill(personas, open_map, staff(personas.lille, 5))
    [publication] = map_wave_close(wave=open_map, actor=personas.direction)
    open_map.refresh_from_db()
    assert open_map.status == MapWaveStatus.CLOSED
    assert not MapReceipt.objects.filter(wave=open_map).exists()
    assert publication.unit == personas.lille and publication.status == "published"
    frozen = publication.snapshot
    # Later answers or edits do not change what was published.
    MapAnswer.objects.filter(moment__code="checkout").update(satisfaction=5)
    publication.refresh_from_db()
    assert publication.snapshot == frozen
    assert unit_map(open_map, personas.lille) != frozen
    with pytest.raises(MapError, match="Dites en une phrase"):
        map_publication_hold(publication=publication, actor=personas.shop_manager, reason="non")
    map_publication_hold(
        publication=publication, actor=personas.shop_manager,
        reason="Une personne de l'équipe est reconnaissable dans les commentaires.",
    )  # fmt: skip
    publication.refresh_from_db()
    assert publication.status == "withdrawn"
    entry = AuditEntry.objects.get(action="map.withdraw")
    assert "reconnaissable" in str(entry.details)
    map_publication_restore(publication=publication, actor=personas.direction)
    assert MapPublication.objects.get(pk=publication.pk).snapshot == frozen


def test_a_published_map_over_the_threshold_exactly_is_hidden_from_its_own_team(personas, open_map):
    # Five employees: one of them, reading the map, could take their own answers out of it
    # and learn what the four others said. Readers outside the shop keep the figures.
    team = staff(personas.lille, 5)
    _fill(personas, open_map, team)
    [publication] = map_wave_close(wave=open_map, actor=personas.direction)
    inside = published_map_for(publication, team[0])
    assert inside["lenses"]["employee"]["suppressed"] and inside["lenses"]["employee"]["n"] is None
    checkout = next(row for row in inside["moments"] if row["code"] == "checkout")
    assert checkout["employee"] is None and checkout["satisfaction_gap"] is None
    assert checkout["management"]["satisfaction"] == 4
    assert all(group["employee"] == [] for group in inside["solutions"]["groups"])
    assert publication.snapshot["lenses"]["employee"]["n"] == 5
    outside = published_map_for(publication, personas.region_manager)
    assert outside["lenses"]["employee"]["n"] == 5


def test_a_published_map_over_more_than_the_threshold_is_read_whole_by_its_team(personas, open_map):
    team = staff(personas.lille, 6)
    _fill(personas, open_map, team)
    _answer(open_map, team[5], 3, "worry", True)
    [publication] = map_wave_close(wave=open_map, actor=personas.direction)
    inside = published_map_for(publication, team[0])
    assert inside["lenses"]["employee"]["n"] == 6
    checkout = next(row for row in inside["moments"] if row["code"] == "checkout")
    assert checkout["employee"]["n"] == 6 and checkout["satisfaction_gap"] is not None
