"""What the API says about units and members."""

from __future__ import annotations

from ninja import Schema

from miroir.org.models import Member


class UnitOut(Schema):
    id: int
    external_id: str | None
    name: str
    kind: str
    parent_id: int | None
    depth: int
    timezone: str
    is_active: bool


class PartnerOrganisationOut(Schema):
    name: str
    kind: str


class RoleOut(Schema):
    kind: str
    unit_id: int | None


class MemberOut(Schema):
    id: int
    external_id: str | None
    first_name: str
    last_name: str
    email: str | None
    phone: str
    job_title: str
    unit_id: int
    contract_type: str
    lens: str
    partner_organisation: PartnerOrganisationOut | None
    proximity: str
    roles: list[RoleOut]
    is_active: bool

    @staticmethod
    def resolve_roles(member: Member) -> list[RoleOut]:
        # ``roles.all()`` reads the prefetched rows: no query per member.
        return [RoleOut(kind=role.kind, unit_id=role.unit_id) for role in member.roles.all()]
