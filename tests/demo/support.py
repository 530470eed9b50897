"""Helpers shared by the demo tests."""

from __future__ import annotations

import hashlib
import json
from io import StringIO

from django.core.management import call_command
from django.utils import translation

from miroir.demo.models import GroundTruth
from miroir.org.models import Member, PartnerOrganisation, Role, Unit

SMALL = ("--regions", "2", "--shops", "6")


def run_demo(*args: str) -> str:
    """Return what ``miroir demo`` printed, run with ``args``."""
    out = StringIO()
    # The tests read the English messages, whatever LANGUAGE_CODE says.
    with translation.override("en"):
        call_command("demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def fingerprint() -> str:
    """Return a digest of the organisation and the truth, without ids or timestamps."""
    units = {unit.pk: unit for unit in Unit.objects.all()}

    def external_path(unit: Unit) -> str:
        # Ids differ from one generation to the next; the tree they spell does not.
        return "/".join(units[int(pk)].external_id or "" for pk in unit.path.strip("/").split("/"))

    rows = sorted(
        (u.external_id, u.name, u.kind, u.depth, external_path(u)) for u in units.values()
    )
    rows += sorted(
        Member.objects.values_list(
            "external_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "unit__external_id",
            "contract_type",
            "partner_organisation__name",
            "proximity",
            "user__email",
        )
    )
    rows += sorted(
        Role.objects.values_list("member__external_id", "kind", "unit__external_id"),
        key=repr,
    )
    rows += sorted(PartnerOrganisation.objects.values_list("external_id", "name", "kind"))
    rows += sorted(
        (t.part, t.key, json.dumps(t.value, sort_keys=True)) for t in GroundTruth.objects.all()
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()
