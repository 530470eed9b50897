"""Reads of the organisation, and the access gates every scoped lookup goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from miroir.org.models import Member, Role, RoleKind, Unit


@dataclass(frozen=True)
class Scope:
    """What a user or an API token may reach: the whole network, or some subtrees."""

    everything: bool = False
    paths: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    member_id: int | None = None

    @property
    def is_administrator(self) -> bool:
        return RoleKind.ADMINISTRATOR in self.roles

    @property
    def can_browse(self) -> bool:
        """Return whether the unit tree is reachable at all."""
        return self.everything or bool(self.paths)

    def contains(self, unit: Unit) -> bool:
        return self.everything or any(unit.path.startswith(path) for path in self.paths)

    def unit_filter(self, prefix: str = "") -> Q:
        """Return a Q keeping the units (or rows whose ``prefix`` leads to a unit) in scope."""
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        query = Q()
        for path in self.paths:
            query |= Q(**{f"{prefix}path__startswith": path})
        return query


NO_SCOPE = Scope()


def scope_for_user(user: Any) -> Scope:
    """Return the scope of a logged-in user, from the roles of the member they are."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    member = Member.objects.filter(user=user, is_active=True).first()
    if member is None:
        if user.is_superuser:
            return Scope(everything=True, roles=frozenset({RoleKind.ADMINISTRATOR}))
        return NO_SCOPE
    roles = list(Role.objects.filter(member=member).select_related("unit"))
    kinds = frozenset(role.kind for role in roles)
    if user.is_superuser:
        kinds = kinds | {RoleKind.ADMINISTRATOR}
    if RoleKind.ADMINISTRATOR in kinds or RoleKind.DIRECTION in kinds:
        return Scope(everything=True, roles=kinds, member_id=member.pk)
    paths = _outermost(role.unit.path for role in roles if role.unit is not None)
    return Scope(paths=paths, roles=kinds, member_id=member.pk)


def scope_for_unit(unit: Unit | None) -> Scope:
    """Return the scope of an integration token bound to ``unit`` (None: the whole network)."""
    if unit is None:
        return Scope(everything=True)
    return Scope(paths=(unit.path,))


def _outermost(paths: Any) -> tuple[str, ...]:
    """Return the paths that are not inside another one of them."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(other) for other in kept):
            kept.append(path)
    return tuple(kept)


def request_scope(request: Any) -> Scope:
    """Return the scope of the request's user, computed once per request."""
    scope = getattr(request, "_miroir_scope", None)
    if scope is None:
        scope = scope_for_user(request.user)
        request._miroir_scope = scope
    return scope


def units_in_scope(scope: Scope) -> QuerySet[Unit]:
    return Unit.objects.filter(scope.unit_filter())


def scope_roots(scope: Scope) -> QuerySet[Unit]:
    """Return the top units of a scope: the roots of the tree, or the managed units."""
    if scope.everything:
        return Unit.objects.filter(parent__isnull=True).order_by("name")
    return Unit.objects.filter(path__in=scope.paths).order_by("name")


def access_unit(scope: Scope, unit_id: Any, *, write: bool = False) -> Unit:
    """Return the unit if the scope reaches it; 404 when it doesn't, 403 to write without rights."""
    try:
        unit = Unit.objects.select_related("parent").get(pk=int(unit_id))
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise Http404("No such unit") from None
    if not scope.contains(unit):
        raise Http404("No such unit")
    if write and not scope.is_administrator:
        raise PermissionDenied("Only administrators change the organisation")
    return unit


def access_member(scope: Scope, member_id: Any, *, write: bool = False) -> Member:
    """Return the member if the scope reaches their unit; same answers as ``access_unit``."""
    try:
        member = Member.objects.select_related("unit", "partner_organisation").get(
            pk=int(member_id)
        )
    except (Member.DoesNotExist, TypeError, ValueError):
        raise Http404("No such member") from None
    if not scope.contains(member.unit):
        raise Http404("No such member")
    if write and not scope.is_administrator:
        raise PermissionDenied("Only administrators change the organisation")
    return member


def unit_ancestors(unit: Unit) -> list[Unit]:
    """Return the unit's ancestors, root first."""
    ids = unit.ancestor_ids
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return unit.children.order_by("name")


def subtree(unit: Unit) -> QuerySet[Unit]:
    """Return the unit and every unit below it, at any depth."""
    return Unit.objects.filter(path__startswith=unit.path)


def members_of_subtree(unit: Unit) -> QuerySet[Member]:
    return Member.objects.filter(unit__path__startswith=unit.path)


def members_in_scope(scope: Scope) -> QuerySet[Member]:
    return Member.objects.filter(scope.unit_filter("unit__"))


def member_roles(member: Member) -> list[str]:
    """Return the member's roles, including employee or partner from the contract."""
    granted = [str(role) for role in member.roles.select_related("unit")]
    return [str(member.get_contract_type_display()), *granted]


def unit_members(unit: Unit, *, query: str = "") -> QuerySet[Member]:
    """Return the active members attached directly to the unit, optionally filtered by name."""
    members = (
        Member.objects.filter(unit=unit, is_active=True)
        .select_related("partner_organisation")
        .prefetch_related("roles__unit")
        .order_by("last_name", "first_name", "id")
    )
    if query:
        members = members.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(job_title__icontains=query)
        )
    return members
