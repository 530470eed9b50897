"""JSON API of the organisation: units and members, within the caller's scope."""

# No `from __future__ import annotations` here: django-ninja reads these annotations at
# import time to build the request models, and `Query[...]` must be a real object.

import re

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import field_validator

from miroir.api.schemas import ERRORS, Page
from miroir.api.selectors import caller_scope
from miroir.org import selectors
from miroir.org.models import ContractType, Member, Role, Unit, UnitKind
from miroir.org.schemas import MemberOut, UnitOut

router = Router(tags=["organisation"])


class UnitFilters(Schema):
    parent: int | None = None
    kind: UnitKind | None = None
    external_id: str | None = None

    @field_validator("parent", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        # Pydantic would read "+0.0" or "1e0" as a number: the document says an integer.
        if isinstance(value, str) and not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            raise ValueError("expected a whole number")
        return value


class MemberFilters(Schema):
    unit: int | None = None
    contract_type: ContractType | None = None
    external_id: str | None = None
    active: bool | None = None


def _members(queryset: QuerySet[Member]) -> QuerySet[Member]:
    # Everything MemberOut reads, in a fixed number of queries whatever the page size.
    roles = Prefetch("roles", queryset=Role.objects.order_by("kind", "unit_id", "id"))
    return queryset.select_related("partner_organisation").prefetch_related(roles).order_by("id")


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="Units in scope")
@paginate(Page)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[Unit]:
    units = selectors.units_in_scope(caller_scope(request)).order_by("path")
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    if filters.kind is not None:
        units = units.filter(kind=filters.kind)
    if filters.external_id is not None:
        units = units.filter(external_id=filters.external_id)
    return units


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="One unit")
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    return selectors.access_unit(caller_scope(request), unit_id)


@router.get(
    "/units/{unit_id}/children",
    response={200: list[UnitOut], **ERRORS},
    summary="Direct sub-units of a unit",
)
@paginate(Page)
def list_unit_children(request: HttpRequest, unit_id: int) -> QuerySet[Unit]:
    unit = selectors.access_unit(caller_scope(request), unit_id)
    return selectors.unit_children(unit)


@router.get(
    "/units/{unit_id}/members",
    response={200: list[MemberOut], **ERRORS},
    summary="Members of a unit (with subtree=true, of its whole subtree)",
)
@paginate(Page)
def list_unit_members(
    request: HttpRequest, unit_id: int, subtree: bool = False
) -> QuerySet[Member]:
    unit = selectors.access_unit(caller_scope(request), unit_id)
    members = selectors.members_of_subtree(unit) if subtree else Member.objects.filter(unit=unit)
    return _members(members)


@router.get("/members", response={200: list[MemberOut], **ERRORS}, summary="Members in scope")
@paginate(Page)
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> QuerySet[Member]:
    members = selectors.members_in_scope(caller_scope(request))
    if filters.unit is not None:
        members = members.filter(unit_id=filters.unit)
    if filters.contract_type is not None:
        members = members.filter(contract_type=filters.contract_type)
    if filters.external_id is not None:
        members = members.filter(external_id=filters.external_id)
    if filters.active is not None:
        members = members.filter(is_active=filters.active)
    return _members(members)


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS}, summary="One member")
def get_member(request: HttpRequest, member_id: int) -> Member:
    member = selectors.access_member(caller_scope(request), member_id)
    return _members(Member.objects.filter(pk=member.pk)).get()
