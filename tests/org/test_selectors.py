from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from miroir.org.models import Unit
from miroir.org.selectors import access_member, access_unit, scope_for_user, subtree, units_in_scope
from miroir.org.services import unit_create, unit_move


def test_subtree_reaches_every_depth(personas):
    names = set(subtree(personas.nord).values_list("name", flat=True))
    assert names == {"Nord", "Lille", "Lille Vente", "Lille Caisse", "Arras"}


def test_region_manager_scope_is_their_subtree(personas):
    scope = scope_for_user(personas.region_manager)
    names = set(units_in_scope(scope).values_list("name", flat=True))
    assert names == {"Nord", "Lille", "Lille Vente", "Lille Caisse", "Arras"}


def test_direction_sees_every_unit(personas):
    scope = scope_for_user(personas.direction)
    assert units_in_scope(scope).count() == Unit.objects.count()


def test_manager_of_another_region_gets_404_for_a_unit(personas):
    scope = scope_for_user(personas.other_region_manager)
    with pytest.raises(Http404):
        access_unit(scope, personas.lille.pk)


def test_sibling_shop_manager_gets_404_for_a_member_of_the_next_shop(personas):
    scope = scope_for_user(personas.sibling_manager)
    with pytest.raises(Http404):
        access_member(scope, personas.employee_member.pk)


def test_employee_and_outsider_reach_no_unit(personas):
    for user in (personas.employee, personas.partner, personas.outsider):
        scope = scope_for_user(user)
        assert not scope.can_browse
        with pytest.raises(Http404):
            access_unit(scope, personas.lille.pk)


def test_only_administrators_may_write(personas):
    with pytest.raises(PermissionDenied):
        access_unit(scope_for_user(personas.direction), personas.lille.pk, write=True)
    assert (
        access_unit(scope_for_user(personas.admin), personas.lille.pk, write=True) == personas.lille
    )


def test_unknown_or_malformed_unit_id_is_404(personas):
    scope = scope_for_user(personas.direction)
    for bad in (999999, "abc", None):
        with pytest.raises(Http404):
            access_unit(scope, bad)


def test_moving_a_unit_repaths_its_whole_subtree(personas):
    unit_move(unit=personas.lille, new_parent=personas.sud)
    moved = set(subtree(personas.sud).values_list("name", flat=True))
    assert {"Lille", "Lille Vente", "Lille Caisse"} <= moved
    vente = Unit.objects.get(pk=personas.lille_vente.pk)
    assert vente.depth == 3
    assert vente.path == f"{personas.company.path}{personas.sud.pk}/{personas.lille.pk}/{vente.pk}/"
    # Régis no longer reaches Lille; Rose now does.
    assert not scope_for_user(personas.region_manager).contains(vente)
    assert scope_for_user(personas.other_region_manager).contains(vente)


def test_a_unit_cannot_move_under_its_own_child(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        unit_move(unit=personas.nord, new_parent=personas.lille)
    assert Unit.objects.get(pk=personas.nord.pk).parent_id == personas.company.pk


def test_deep_trees_keep_working(db):
    parent = None
    for depth in range(12):
        parent = unit_create(name=f"Level {depth}", kind="department", parent=parent)
    assert parent.depth == 11
    root = Unit.objects.get(depth=0)
    assert subtree(root).count() == 12


def test_a_login_is_created_lower_cased_so_the_member_can_log_in(personas, client):
    from miroir.org.models import Member
    from miroir.org.services import member_sync_user

    member = Member.objects.create(
        first_name="Léa",
        last_name="Majuscule",
        email="Lea.Majuscule@Example.com",
        unit=personas.lille,
        contract_type="permanent",
    )
    user = member_sync_user(member)
    assert user.email == "lea.majuscule@example.com"
    user.set_password("a-long-password-9")
    user.save()
    assert client.login(username="lea.majuscule@example.com", password="a-long-password-9")
