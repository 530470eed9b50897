"""Import of the organisation (units and members) from the CSV files an HR system exports.

The import is planned entirely in memory from a handful of bulk reads (every line
checked, every change decided), then written in one transaction with bulk
statements, so that its cost grows with the size of the files, not with one
query per line. See docs/import.md for the file format.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.accounts.models import User
from miroir.audit.services import audit_record
from miroir.core.inputs import text_clean
from miroir.org.models import (
    ContractType,
    Member,
    PartnerKind,
    PartnerOrganisation,
    Proximity,
    Role,
    RoleKind,
    Unit,
    UnitKind,
)
from miroir.org.services import member_sync_user, mobile_number, role_grant, unit_move

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
TICK_EVERY = 500

Progress = Callable[[str, int, int], None]
# A unit is known by its primary key once in the database, by its external id before.
UnitKey = int | str


def max_file_bytes() -> int:
    """Return the largest import file accepted, in bytes (``MIROIR_IMPORT_MAX_BYTES``)."""
    return settings.MIROIR_IMPORT_MAX_BYTES


# --- what the import gives back -------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    """A problem with one line of a file (``line`` None: with the whole file)."""

    file: str
    line: int | None
    field: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        where = {"file": self.file, "line": self.line, "field": self.field}
        if self.line is None:
            prefix = self.file
        elif self.field:
            prefix = _("%(file)s line %(line)d, field %(field)s") % where
        else:
            prefix = _("%(file)s line %(line)d") % where
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class Counts:
    """How many rows of one kind an import creates, updates or leaves as they are."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportReport:
    """What an import changed (or, on a dry run or when blocked, would change) and why not."""

    units: Counts = field(default_factory=Counts)
    members: Counts = field(default_factory=Counts)
    partner_organisations: Counts = field(default_factory=Counts)
    roles_granted: int = 0
    roles_revoked: int = 0
    logins_created: int = 0
    errors: list[LineError] = field(default_factory=list)
    dry_run: bool = False
    skip_invalid: bool = False
    # True when errors stop the import (a dry run reports what the real run would do).
    blocked: bool = False
    # True when the changes were written to the database.
    applied: bool = False

    @property
    def skipped_lines(self) -> int:
        """Return how many lines are left out because they are invalid."""
        return len({(e.file, e.line) for e in self.errors if e.line is not None})

    def as_details(self) -> dict[str, Any]:
        """Return the counts for the audit trail (no personal data)."""
        return {
            "units": self.units.as_dict(),
            "members": self.members.as_dict(),
            "partner_organisations": self.partner_organisations.as_dict(),
            "roles_granted": self.roles_granted,
            "roles_revoked": self.roles_revoked,
            "logins_created": self.logins_created,
            "skipped_lines": self.skipped_lines,
        }


# --- columns and values ---------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


UNIT_COLUMNS = (
    _Column("external_id", ("id", "identifiant", "code", "code_unite"), required=True),
    _Column("name", ("nom", "libelle", "nom_unite"), required=True),
    _Column("kind", ("type", "nature", "type_unite"), required=True),
    # Required: a file without it would make every unit a root.
    _Column(
        "parent_external_id",
        ("parent", "parent_id", "code_parent", "identifiant_parent", "unite_parent"),
        required=True,
    ),
    _Column("timezone", ("time_zone", "fuseau_horaire", "fuseau")),
)

MEMBER_COLUMNS = (
    _Column("external_id", ("id", "identifiant", "matricule"), required=True),
    _Column("first_name", ("prenom", "firstname"), required=True),
    _Column("last_name", ("nom", "lastname", "nom_de_famille"), required=True),
    _Column("email", ("e_mail", "mail", "courriel")),
    _Column("phone", ("telephone", "tel", "mobile", "portable")),
    _Column("job_title", ("poste", "fonction", "intitule_de_poste")),
    _Column(
        "unit_external_id",
        ("unit", "unite", "code_unite", "identifiant_unite"),
        required=True,
    ),
    _Column(
        "contract_type", ("contract", "contrat", "type_contrat", "type_de_contrat"), required=True
    ),
    _Column(
        "partner_organisation",
        ("partner_organization", "organisation_partenaire", "entreprise_partenaire"),
    ),
    _Column("partner_kind", ("type_partenaire", "type_de_partenaire")),
    _Column("proximity", ("proximite",)),
    _Column("roles", ("role",)),
    _Column("active", ("is_active", "actif")),
)

# French words an HR export may use instead of the values, after folding (see _fold).
UNIT_KIND_ALIASES = {
    "entreprise": UnitKind.COMPANY,
    "societe": UnitKind.COMPANY,
    "zone": UnitKind.AREA,
    "secteur": UnitKind.AREA,
    "magasin": UnitKind.SHOP,
    "boutique": UnitKind.SHOP,
    "agence": UnitKind.BRANCH,
    "succursale": UnitKind.BRANCH,
    "service": UnitKind.DEPARTMENT,
    "departement": UnitKind.DEPARTMENT,
    "equipe": UnitKind.TEAM,
}
CONTRACT_ALIASES = {
    "cdi": ContractType.PERMANENT,
    "cdd": ContractType.FIXED_TERM,
    "interim": ContractType.TEMPORARY,
    "interimaire": ContractType.TEMPORARY,
    "apprenti": ContractType.APPRENTICE,
    "alternant": ContractType.APPRENTICE,
    "stagiaire": ContractType.INTERN,
    "partenaire": ContractType.PARTNER,
}
PROXIMITY_ALIASES = {
    "coeur": Proximity.CORE,
    "regulier": Proximity.REGULAR,
    "occasionnel": Proximity.OCCASIONAL,
}
PARTNER_KIND_ALIASES = {
    "prestataire": PartnerKind.CONTRACTOR,
    "sous_traitant": PartnerKind.CONTRACTOR,
    "fournisseur": PartnerKind.SUPPLIER,
    "agence_interim": PartnerKind.AGENCY,
    "agence_d_interim": PartnerKind.AGENCY,
}
ROLE_ALIASES = {
    "administrateur": RoleKind.ADMINISTRATOR,
    "admin": RoleKind.ADMINISTRATOR,
    "responsable": RoleKind.MANAGER,
}
TRUE_WORDS = frozenset({"true", "1", "oui", "yes", "vrai", "y", "o"})
FALSE_WORDS = frozenset({"false", "0", "non", "no", "faux", "n"})
ROLE_SEPARATORS = re.compile(r"[;,|]")


def _fold(text: str) -> str:
    """Return ``text`` lower-cased, without accents, words joined by underscores."""
    text = text.strip().lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\s\-'\u2019./]+", "_", text).strip("_")


def _choice(value: str, choices: type, aliases: dict[str, str]) -> str | None:
    """Return the choice ``value`` names (by value or French alias), None when none."""
    folded = _fold(value)
    if folded in choices.values:
        return folded
    return aliases.get(folded)


@cache
def _time_zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _max_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- reading a CSV file ---------------------------------------------------------------


class _FileProblem(Exception):
    def __init__(self, error: LineError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    extra_values: int = 0
    width: int = 0


@dataclass
class _Table:
    label: str
    columns: frozenset[str]
    rows: list[_Row]


def _file_label(file: Any, default: str) -> str:
    name = os.path.basename(str(getattr(file, "name", "") or ""))
    return name or default


def _decode(raw: bytes | str, label: str) -> str:
    if isinstance(raw, str):
        text = raw.removeprefix("\ufeff")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise _FileProblem(
                LineError(
                    label,
                    None,
                    "",
                    _(
                        "The file is not UTF-8 text (the first wrong byte is at position "
                        "%(position)d). Save it from your spreadsheet as “CSV UTF-8”."
                    )
                    % {"position": error.start},
                    "file_encoding",
                )
            ) from None
    if "\x00" in text:
        raise _FileProblem(
            LineError(
                label,
                None,
                "",
                _("The file is not CSV text: it contains binary data."),
                "file_not_csv",
            )
        )
    if not text.strip():
        raise _FileProblem(LineError(label, None, "", _("The file is empty."), "file_empty"))
    return text


def _delimiter(text: str) -> str:
    """Return the delimiter of the header line: French spreadsheets write ``;``."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_table(file: IO, *, label: str, columns: tuple[_Column, ...]) -> _Table:
    """Return the rows of a CSV file keyed by canonical column name, or raise _FileProblem."""
    text = _decode(file.read(), label)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.name, *column.aliases):
            lookup[_fold(name)] = column.name

    def records() -> Iterator[tuple[int, list[str]]]:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error:
                # The csv module's message is English and technical: say what to look at.
                raise _FileProblem(
                    LineError(
                        label,
                        start,
                        "",
                        _(
                            "The file is not valid CSV here: check the quotes, that it holds "
                            "no NUL character and that no field is very long."
                        ),
                        "file_not_csv",
                    )
                ) from None
            if any(cell.strip() for cell in record):
                yield start, record

    rows_iter = records()
    first = next(rows_iter, None)
    if first is None:
        raise _FileProblem(LineError(label, None, "", _("The file is empty."), "file_empty"))
    header_line, header = first
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = lookup.get(_fold(cell))
        if name is None:
            continue  # HR exports carry many other columns; they are ignored.
        if name in positions:
            raise _FileProblem(
                LineError(
                    label,
                    header_line,
                    name,
                    _("Columns “%(first)s” and “%(second)s” both give %(column)s.")
                    % {
                        "first": header[positions[name]].strip(),
                        "second": cell.strip(),
                        "column": name,
                    },
                    "duplicate_column",
                )
            )
        positions[name] = index
    missing = [c.name for c in columns if c.required and c.name not in positions]
    if missing:
        raise _FileProblem(
            LineError(
                label,
                header_line,
                "",
                _("Required columns are missing: %(missing)s (the header line reads: %(header)s).")
                % {
                    "missing": ", ".join(missing),
                    "header": " | ".join(cell.strip() for cell in header)[:300],
                },
                "missing_columns",
            )
        )
    width = len(header)
    rows = []
    for line, record in rows_iter:
        values = {
            # Invisible and direction-changing characters go: no look-alike names or ids.
            name: text_clean(record[index]).strip() if index < len(record) else ""
            for name, index in positions.items()
        }
        extra = sum(1 for cell in record[width:] if cell.strip())
        rows.append(_Row(line=line, values=values, extra_values=extra, width=len(record)))
    return _Table(label=label, columns=frozenset(positions), rows=rows)


# --- planning -------------------------------------------------------------------------


@dataclass
class _UnitLine:
    line: int
    external_id: str
    name: str
    kind: str
    parent_external_id: str
    timezone: str | None


@dataclass
class _MemberLine:
    line: int
    external_id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str
    job_title: str
    unit_external_id: str
    contract_type: str
    partner_organisation: str | None
    partner_kind: str
    proximity: str
    roles: frozenset[str] | None
    is_active: bool


MEMBER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "unit_id",
    "contract_type",
    "partner_organisation_id",
    "proximity",
    "is_active",
)


class _State:
    """The organisation as it is in the database, read in a few bulk queries."""

    def __init__(self, *, with_members: bool) -> None:
        self.units = {
            u.id: u
            for u in Unit.objects.values_list(
                "id", "external_id", "name", "kind", "parent_id", "timezone", named=True
            ).order_by()
        }
        self.unit_id_by_ext = {u.external_id: u.id for u in self.units.values() if u.external_id}
        self.members: dict[str, Any] = {}
        self.member_by_email: dict[str, Any] = {}
        self.member_id_by_user: dict[int, int] = {}
        self.users_by_email: dict[str, Any] = {}
        self.users: dict[int, Any] = {}
        self.orgs_by_name: dict[str, Any] = {}
        self.orgs: dict[int, Any] = {}
        self.roles_by_member: dict[int, list[Any]] = {}
        if not with_members:
            return
        for m in Member.objects.values_list(
            "id", "external_id", "user_id", *MEMBER_FIELDS, named=True
        ).order_by():
            if m.external_id:
                self.members[m.external_id] = m
            if m.email:
                self.member_by_email[m.email.lower()] = m
            if m.user_id:
                self.member_id_by_user[m.user_id] = m.id
        for u in User.objects.values_list(
            "id", "email", "phone", "is_active", "disabled_at", named=True
        ).order_by():
            self.users[u.id] = u
            if u.email:
                self.users_by_email[u.email.lower()] = u
        for o in PartnerOrganisation.objects.values_list("id", "name", "kind", named=True):
            self.orgs[o.id] = o
            self.orgs_by_name[o.name.lower()] = o
        for r in Role.objects.values_list("id", "member_id", "kind", "unit_id", named=True):
            self.roles_by_member.setdefault(r.member_id, []).append(r)

    def unit_key(self, unit_id: int | None) -> UnitKey | None:
        """Return how the import names the unit with this id: its external id, else its id."""
        if unit_id is None:
            return None
        return self.units[unit_id].external_id or unit_id


@dataclass
class _Plan:
    """Every change an import makes, decided before the first write."""

    unit_lines: dict[str, _UnitLine] = field(default_factory=dict)
    unit_creates: list[_UnitLine] = field(default_factory=list)
    unit_updates: list[_UnitLine] = field(default_factory=list)
    unit_moves: list[_UnitLine] = field(default_factory=list)
    unit_depth: dict[UnitKey, int] = field(default_factory=dict)
    org_creates: dict[str, tuple[str, str]] = field(default_factory=dict)
    org_updates: dict[int, str] = field(default_factory=dict)
    member_creates: list[_MemberLine] = field(default_factory=list)
    # Each updated line with the names of the fields it changes.
    member_updates: list[tuple[_MemberLine, tuple[str, ...]]] = field(default_factory=list)
    # Members who get a new login, and members whose login needs member_sync_user.
    fresh_logins: set[str] = field(default_factory=set)
    stale_logins: list[str] = field(default_factory=list)
    member_lines: list[_MemberLine] = field(default_factory=list)
    role_grants: list[tuple[str, str, UnitKey | None]] = field(default_factory=list)
    role_revokes: list[int] = field(default_factory=list)


class _Planner:
    """Checks every line against the files and the database and decides every change."""

    def __init__(
        self,
        *,
        state: _State,
        report: ImportReport,
        skip_invalid: bool,
        actor: User | None,
        progress: Progress | None,
    ) -> None:
        self.state = state
        self.report = report
        self.skip_invalid = skip_invalid
        self.actor = actor
        self.progress = progress
        self.plan = _Plan()
        # External ids of unit lines left out, with their line, for the lines that need them.
        self.invalid_units: dict[str, int] = {}
        self.units_label = "units.csv"

    def tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None and (done % TICK_EVERY == 0 or done == total):
            self.progress(phase, done, total)

    def error(self, label: str, line: int, name: str, message: str, code: str) -> None:
        self.report.errors.append(LineError(label, line, name, message, code))

    # units

    def plan_units(self, table: _Table | None) -> None:
        if table is None:
            return
        self.units_label = table.label
        first_line: dict[str, int] = {}
        lines: dict[str, _UnitLine] = {}
        invalid_rows: list[_Row] = []
        phase = _("Checking units")
        for done, row in enumerate(table.rows, 1):
            self.tick(phase, done, len(table.rows))
            ext = row.values["external_id"]
            if ext and ext in first_line:
                self.error(
                    table.label,
                    row.line,
                    "external_id",
                    _("External id “%(value)s” already appears on line %(line)d.")
                    % {"value": ext, "line": first_line[ext]},
                    "duplicate",
                )
                continue
            if ext:
                first_line[ext] = row.line
            line = self._unit_line(table, row)
            if line is None:
                if ext:
                    self.invalid_units[ext] = row.line
                invalid_rows.append(row)
                continue
            lines[ext] = line
        # An invalid line gets every error it has, its unknown parent included.
        for row in invalid_rows:
            parent = row.values["parent_external_id"]
            if parent and parent not in first_line and parent not in self.state.unit_id_by_ext:
                self._unknown_unit(table.label, row.line, "parent_external_id", parent)
        self._resolve_parents(table.label, lines)
        self._decide_units(lines)

    def _unknown_unit(self, label: str, line: int, name: str, value: str) -> None:
        self.error(
            label,
            line,
            name,
            _("No unit has the external id “%(value)s”, in this file or in Miroir.")
            % {"value": value},
            "unknown_unit",
        )

    def _unit_line(self, table: _Table, row: _Row) -> _UnitLine | None:
        v = row.values
        errors_before = len(self.report.errors)
        label = table.label
        self._check_width(label, row)
        ext = self._text(label, row, "external_id", Unit, required=True)
        name = self._text(label, row, "name", Unit, required=True)
        kind = self._chosen(label, row, "kind", UnitKind, UNIT_KIND_ALIASES, required=True)
        zone: str | None = None
        if v.get("timezone"):
            zone = _time_zones().get(v["timezone"].lower())
            if zone is None:
                self.error(
                    label,
                    row.line,
                    "timezone",
                    _("Unknown time zone “%(value)s” (expected a name such as Europe/Paris).")
                    % {"value": v["timezone"]},
                    "unknown_timezone",
                )
        if len(self.report.errors) > errors_before:
            return None
        return _UnitLine(row.line, ext, name, kind, v["parent_external_id"], zone)

    def _resolve_parents(self, label: str, lines: dict[str, _UnitLine]) -> None:
        """Leave out the lines whose parent is unknown, left out, or makes a cycle."""
        known = self.state.unit_id_by_ext
        while True:
            changed = True
            while changed:
                changed = False
                for ext, line in list(lines.items()):
                    parent = line.parent_external_id
                    if not parent or parent in lines or parent in known:
                        continue
                    if parent in self.invalid_units:
                        if self.skip_invalid:
                            self._dependency_error(label, line.line, "parent_external_id", parent)
                    else:
                        self._unknown_unit(label, line.line, "parent_external_id", parent)
                    del lines[ext]
                    self.invalid_units[ext] = line.line
                    changed = True
            # Cycles are looked for once every remaining parent is known to exist.
            cycles = self._cycles(lines)
            if not cycles:
                return
            for cycle in cycles:
                for key in cycle[:-1]:
                    if isinstance(key, str) and key in lines:
                        line = lines.pop(key)
                        self._cycle_error(label, line, cycle)
                        self.invalid_units[key] = line.line

    def _parent_key(self, key: UnitKey, lines: dict[str, _UnitLine]) -> UnitKey | None:
        if isinstance(key, str) and key in lines:
            return lines[key].parent_external_id or None
        unit_id = self.state.unit_id_by_ext[key] if isinstance(key, str) else key
        return self.state.unit_key(self.state.units[unit_id].parent_id)

    def _cycles(self, lines: dict[str, _UnitLine]) -> list[list[UnitKey]]:
        """Return the cycles the final tree would have, each closed on its first unit."""
        seen: dict[UnitKey, bool] = {}  # False while being walked, True once done
        cycles = []
        for start in lines:
            trail: list[UnitKey] = []
            key: UnitKey | None = start
            while key is not None and key not in seen:
                seen[key] = False
                trail.append(key)
                key = self._parent_key(key, lines)
            if key is not None and seen[key] is False:
                loop = trail[trail.index(key) :]
                cycles.append([*loop, key])
            for walked in trail:
                seen[walked] = True
        return cycles

    def _cycle_error(self, label: str, line: _UnitLine, cycle: list[UnitKey]) -> None:
        names = " → ".join(
            str(k) if isinstance(k, str) else self.state.units[k].name for k in cycle
        )
        self.error(
            label,
            line.line,
            "parent_external_id",
            _("This unit would be its own ancestor: %(cycle)s.") % {"cycle": names},
            "cycle",
        )

    def _dependency_error(self, label: str, line: int, name: str, unit_ext: str) -> None:
        self.error(
            label,
            line,
            name,
            _("Unit “%(value)s” is not imported: its line %(line)d in %(file)s is invalid.")
            % {"value": unit_ext, "line": self.invalid_units[unit_ext], "file": self.units_label},
            "depends_on_invalid",
        )

    def _decide_units(self, lines: dict[str, _UnitLine]) -> None:
        plan, state, counts = self.plan, self.state, self.report.units
        plan.unit_lines = lines
        for ext, line in lines.items():
            unit_id = state.unit_id_by_ext.get(ext)
            if unit_id is None:
                plan.unit_creates.append(line)
                counts.created += 1
                continue
            unit = state.units[unit_id]
            moved = (line.parent_external_id or None) != state.unit_key(unit.parent_id)
            changed = (
                line.name != unit.name
                or line.kind != unit.kind
                or (line.timezone is not None and line.timezone != unit.timezone)
            )
            if changed:
                plan.unit_updates.append(line)
            if moved:
                plan.unit_moves.append(line)
            if changed or moved:
                counts.updated += 1
            else:
                counts.unchanged += 1
        if plan.unit_moves or plan.unit_creates:
            # Parents before children, so each write finds its parent in place.
            plan.unit_depth = self._final_depths(lines)
            plan.unit_moves.sort(key=lambda line: plan.unit_depth[line.external_id])
            plan.unit_creates.sort(key=lambda line: plan.unit_depth[line.external_id])

    def _final_depths(self, lines: dict[str, _UnitLine]) -> dict[UnitKey, int]:
        depths: dict[UnitKey, int] = {}
        for start in lines:
            trail: list[UnitKey] = []
            key: UnitKey | None = start
            while key is not None and key not in depths:
                trail.append(key)
                key = self._parent_key(key, lines)
            base = -1 if key is None else depths[key]
            for offset, walked in enumerate(reversed(trail), 1):
                depths[walked] = base + offset
        return depths

    def unit_is_known(self, ext: str) -> bool:
        return ext in self.plan.unit_lines or ext in self.state.unit_id_by_ext

    # members

    def plan_members(self, table: _Table | None) -> None:
        if table is None:
            return
        first_line: dict[str, int] = {}
        email_line: dict[str, int] = {}
        lines: list[_MemberLine] = []
        own_ext = self._actor_external_id()
        phase = _("Checking members")
        for done, row in enumerate(table.rows, 1):
            self.tick(phase, done, len(table.rows))
            ext = row.values["external_id"]
            if ext and ext in first_line:
                self.error(
                    table.label,
                    row.line,
                    "external_id",
                    _("External id “%(value)s” already appears on line %(line)d.")
                    % {"value": ext, "line": first_line[ext]},
                    "duplicate",
                )
                continue
            if ext:
                first_line[ext] = row.line
            line = self._member_line(table, row, email_line, own_ext)
            if line is not None:
                lines.append(line)
        lines = self._check_partner_organisations(table.label, lines)
        self._decide_members(lines)

    def _actor_external_id(self) -> str | None:
        if getattr(self.actor, "pk", None) is None:
            return None
        member_id = self.state.member_id_by_user.get(self.actor.pk)
        return next(
            (ext for ext, member in self.state.members.items() if member.id == member_id), None
        )

    def _member_line(
        self, table: _Table, row: _Row, email_line: dict[str, int], own_ext: str | None
    ) -> _MemberLine | None:
        label, v, columns = table.label, row.values, table.columns
        errors_before = len(self.report.errors)
        # Left out without an error of its own: its unit's line already stops the import.
        silently_invalid = False
        self._check_width(label, row)
        ext = self._text(label, row, "external_id", Member, required=True)
        existing = self.state.members.get(ext)
        first_name = self._text(label, row, "first_name", Member, required=True)
        last_name = self._text(label, row, "last_name", Member, required=True)
        phone = self._text_or_kept(label, row, "phone", columns, existing)
        job_title = self._text_or_kept(label, row, "job_title", columns, existing)
        email = self._email(label, row, existing, email_line)
        unit_ext = v["unit_external_id"]
        if not unit_ext:
            self._required(label, row.line, "unit_external_id")
        elif not self.unit_is_known(unit_ext):
            if unit_ext not in self.invalid_units:
                self._unknown_unit(label, row.line, "unit_external_id", unit_ext)
            elif self.skip_invalid:
                self._dependency_error(label, row.line, "unit_external_id", unit_ext)
            else:
                silently_invalid = True
        contract = self._chosen(
            label, row, "contract_type", ContractType, CONTRACT_ALIASES, required=True
        )
        if "partner_organisation" in columns:
            organisation = v["partner_organisation"] or None
            limit = _max_length(PartnerOrganisation, "name")
            if organisation and len(organisation) > limit:
                self._too_long(label, row.line, "partner_organisation", organisation, limit)
        elif existing is not None and existing.partner_organisation_id:
            organisation = self.state.orgs[existing.partner_organisation_id].name
        else:
            organisation = None
        partner_kind = self._chosen(label, row, "partner_kind", PartnerKind, PARTNER_KIND_ALIASES)
        if "proximity" in columns:
            proximity = self._chosen(label, row, "proximity", Proximity, PROXIMITY_ALIASES)
        elif existing is not None and contract == ContractType.PARTNER:
            proximity = existing.proximity
        else:
            proximity = ""
        if contract == ContractType.PARTNER:
            if not organisation:
                self.error(
                    label,
                    row.line,
                    "partner_organisation",
                    _("A partner needs a partner organisation."),
                    "partner_organisation_required",
                )
            if not proximity and not v.get("proximity"):
                self.error(
                    label,
                    row.line,
                    "proximity",
                    _("A partner needs a proximity: core, regular or occasional."),
                    "proximity_required",
                )
        elif contract and proximity:
            self.error(
                label,
                row.line,
                "proximity",
                _("Only partners have a proximity; leave it empty for contract “%(value)s”.")
                % {"value": contract},
                "proximity_forbidden",
            )
        roles = self._roles(label, row) if "roles" in columns else None
        is_active = self._active(label, row, existing)
        if own_ext is not None and ext == own_ext:
            self._check_own_access(label, row.line, roles, is_active)
        if silently_invalid or len(self.report.errors) != errors_before:
            return None
        return _MemberLine(
            line=row.line,
            external_id=ext,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            job_title=job_title,
            unit_external_id=unit_ext,
            contract_type=contract,
            partner_organisation=organisation,
            partner_kind=partner_kind,
            proximity=proximity,
            roles=roles,
            is_active=is_active,
        )

    def _text_or_kept(
        self, label: str, row: _Row, name: str, columns: frozenset[str], existing: Any
    ) -> str:
        """Return the line's value, or the member's current one when the file lacks the column."""
        if name in columns:
            return self._text(label, row, name, Member)
        return getattr(existing, name) if existing is not None else ""

    def _email(
        self, label: str, row: _Row, existing: Any, email_line: dict[str, int]
    ) -> str | None:
        if "email" not in row.values:
            return existing.email if existing is not None else None
        # Logins are looked up lower-cased (see accounts.forms), so addresses are stored so.
        email = row.values["email"].lower()
        if not email:
            return None
        try:
            validate_email(email)
        except ValidationError:
            self.error(
                label,
                row.line,
                "email",
                _("“%(value)s” is not a valid e-mail address.") % {"value": email},
                "invalid_email",
            )
            return None
        if len(email) > _max_length(Member, "email"):
            self._too_long(label, row.line, "email", email, _max_length(Member, "email"))
            return None
        if email in email_line:
            self.error(
                label,
                row.line,
                "email",
                _("The e-mail address %(value)s is already used on line %(line)d.")
                % {"value": email, "line": email_line[email]},
                "email_taken",
            )
            return None
        email_line[email] = row.line
        owner = self.state.member_by_email.get(email)
        if owner is not None and (existing is None or owner.id != existing.id):
            self.error(
                label,
                row.line,
                "email",
                _("The e-mail address %(value)s belongs to another member (external id %(owner)s).")
                % {"value": email, "owner": owner.external_id or "—"},
                "email_taken",
            )
            return None
        user = self.state.users_by_email.get(email)
        own_user = existing.user_id if existing is not None else None
        if (
            user is not None
            and user.id != own_user
            and (own_user is not None or user.id in self.state.member_id_by_user)
        ):
            self.error(
                label,
                row.line,
                "email",
                _("The e-mail address %(value)s is already the login of someone else.")
                % {"value": email},
                "login_taken",
            )
            return None
        return email

    def _roles(self, label: str, row: _Row) -> frozenset[str]:
        roles = set()
        for word in ROLE_SEPARATORS.split(row.values["roles"]):
            if not word.strip():
                continue
            role = _choice(word, RoleKind, ROLE_ALIASES)
            if role is None:
                self._unknown_choice(label, row.line, "roles", word.strip(), RoleKind)
            else:
                roles.add(role)
        return frozenset(roles)

    def _active(self, label: str, row: _Row, existing: Any) -> bool:
        if "active" not in row.values:
            return existing.is_active if existing is not None else True
        word = _fold(row.values["active"])
        if not word or word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.error(
            label,
            row.line,
            "active",
            _("“%(value)s” is not a yes/no value (use true/false, 1/0, oui/non, yes/no).")
            % {"value": row.values["active"]},
            "invalid_boolean",
        )
        return True

    def _check_own_access(
        self, label: str, line: int, roles: frozenset[str] | None, is_active: bool
    ) -> None:
        # An administrator who imports a file without their own role would lock themselves out.
        if (
            roles is not None
            and RoleKind.ADMINISTRATOR not in roles
            and not getattr(self.actor, "is_superuser", False)
        ):
            self.error(
                label,
                line,
                "roles",
                _("This import would remove your own administrator role."),
                "own_administrator",
            )
        if not is_active:
            self.error(
                label,
                line,
                "active",
                _("This import would deactivate your own login."),
                "own_login",
            )

    def _check_partner_organisations(
        self, label: str, lines: list[_MemberLine]
    ) -> list[_MemberLine]:
        """Return the lines whose partner organisation is consistent, deciding its kind."""
        state, plan, counts = self.state, self.plan, self.report.partner_organisations
        given: dict[str, tuple[str, int]] = {}
        kept = []
        for line in lines:
            name = (line.partner_organisation or "").lower()
            if not name or not line.partner_kind:
                kept.append(line)
                continue
            if name in given and given[name][0] != line.partner_kind:
                self.error(
                    label,
                    line.line,
                    "partner_kind",
                    _("Partner organisation “%(value)s” is given kind “%(kind)s” on line %(line)d.")
                    % {
                        "value": line.partner_organisation,
                        "kind": given[name][0],
                        "line": given[name][1],
                    },
                    "partner_kind_conflict",
                )
                continue
            given.setdefault(name, (line.partner_kind, line.line))
            kept.append(line)
        valid = []
        referenced: set[str] = set()
        for line in kept:
            name = (line.partner_organisation or "").lower()
            if name and name not in state.orgs_by_name and name not in given:
                self.error(
                    label,
                    line.line,
                    "partner_kind",
                    _("“%(value)s” is a new partner organisation: give its kind.")
                    % {"value": line.partner_organisation},
                    "partner_kind_required",
                )
                continue
            valid.append(line)
            if not name or name in referenced:
                continue
            referenced.add(name)
            existing = state.orgs_by_name.get(name)
            kind = given.get(name, ("", 0))[0]
            if existing is None:
                plan.org_creates[name] = (line.partner_organisation or "", kind)
                counts.created += 1
            elif kind and kind != existing.kind:
                plan.org_updates[existing.id] = kind
                counts.updated += 1
            else:
                counts.unchanged += 1
        return valid

    def _decide_members(self, lines: list[_MemberLine]) -> None:
        state, plan, counts = self.state, self.plan, self.report.members
        plan.member_lines = lines
        for line in lines:
            existing = state.members.get(line.external_id)
            unit_key = self._unit_key_of(line.unit_external_id)
            if existing is None:
                plan.member_creates.append(line)
                counts.created += 1
            else:
                org = state.orgs_by_name.get((line.partner_organisation or "").lower())
                wanted = (
                    line.first_name,
                    line.last_name,
                    line.email,
                    line.phone,
                    line.job_title,
                    unit_key,
                    line.contract_type,
                    org.id if org is not None else line.partner_organisation,
                    line.proximity,
                    line.is_active,
                )
                changed = tuple(
                    name
                    for name, value in zip(MEMBER_FIELDS, wanted, strict=True)
                    if getattr(existing, name) != value
                )
                if changed:
                    plan.member_updates.append((line, changed))
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            self._decide_login(line, existing)
            if line.roles is not None:
                self._decide_roles(line, existing, unit_key)
        self.report.logins_created = len(plan.fresh_logins)

    def _decide_login(self, line: _MemberLine, existing: Any) -> None:
        """Note what ``member_sync_user`` would change for this member, if anything."""
        user_id = existing.user_id if existing is not None else None
        user = self.state.users.get(user_id) if user_id else None
        if line.email and user is None and line.email not in self.state.users_by_email:
            self.plan.fresh_logins.add(line.external_id)
            return
        phone = mobile_number(line.phone) if line.email is None else None
        if phone:
            # A login keyed by the mobile number (member_sync_user).
            stale = user is None or (user.phone, user.email, user.is_active) != (
                phone,
                None,
                line.is_active and user.disabled_at is None,
            )
        elif line.email is None:
            stale = user is not None and user.is_active
        elif user is None:
            stale = True  # the login that already has this address is taken over
        else:
            # A login an administrator disabled stays so (see member_sync_user).
            active = line.is_active and user.disabled_at is None
            stale = user.email != line.email or user.is_active != active or user.phone is not None
        if stale:
            self.plan.stale_logins.append(line.external_id)

    def _unit_key_of(self, ext: str) -> UnitKey:
        return self.state.unit_id_by_ext.get(ext, ext)

    def _decide_roles(self, line: _MemberLine, existing: Any, unit_key: UnitKey) -> None:
        assert line.roles is not None
        wanted = {(kind, unit_key if kind == RoleKind.MANAGER else None) for kind in line.roles}
        current = self.state.roles_by_member.get(existing.id, []) if existing is not None else []
        held = set()
        for role in current:
            if (role.kind, role.unit_id) in wanted:
                held.add((role.kind, role.unit_id))
            else:
                self.plan.role_revokes.append(role.id)
        for kind, unit in sorted(wanted - held, key=str):
            self.plan.role_grants.append((line.external_id, kind, unit))
        self.report.roles_granted += len(wanted - held)
        self.report.roles_revoked += len(current) - len(held)

    # field helpers

    def _check_width(self, label: str, row: _Row) -> None:
        if row.extra_values:
            self.error(
                label,
                row.line,
                "",
                _("This line has more values (%(count)d) than the header has columns.")
                % {"count": row.width},
                "wrong_value_count",
            )

    def _required(self, label: str, line: int, name: str) -> None:
        self.error(label, line, name, _("A value is required."), "required")

    def _too_long(self, label: str, line: int, name: str, value: str, limit: int) -> None:
        self.error(
            label,
            line,
            name,
            _("%(length)d characters, at most %(max)d allowed.")
            % {"length": len(value), "max": limit},
            "too_long",
        )

    def _text(
        self, label: str, row: _Row, name: str, model: type, *, required: bool = False
    ) -> str:
        value = row.values.get(name, "")
        if not value:
            if required:
                self._required(label, row.line, name)
            return ""
        limit = _max_length(model, name)
        if len(value) > limit:
            self._too_long(label, row.line, name, value, limit)
            return ""
        return value

    def _unknown_choice(self, label: str, line: int, name: str, value: str, choices: type) -> None:
        self.error(
            label,
            line,
            name,
            _("Unknown value “%(value)s”; expected one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
            "unknown_choice",
        )

    def _chosen(
        self,
        label: str,
        row: _Row,
        name: str,
        choices: type,
        aliases: dict[str, str],
        *,
        required: bool = False,
    ) -> str:
        value = row.values.get(name, "")
        if not value:
            if required:
                self._required(label, row.line, name)
            return ""
        chosen = _choice(value, choices, aliases)
        if chosen is None:
            self._unknown_choice(label, row.line, name, value, choices)
            return ""
        return str(chosen)


# --- writing --------------------------------------------------------------------------


def _chunks(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """Writes a plan with bulk statements; called inside the import's transaction."""

    def __init__(self, *, state: _State, plan: _Plan, progress: Progress | None) -> None:
        self.state = state
        self.plan = plan
        self.progress = progress
        self.now = timezone.now()
        self.unit_ids = dict(state.unit_id_by_ext)

    def tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)

    def write(self) -> None:
        self.write_units()
        self.write_members()

    def write_units(self) -> None:
        plan, state = self.plan, self.state
        total = len(plan.unit_creates) + len(plan.unit_updates) + len(plan.unit_moves)
        if not total:
            return
        phase, done = _("Writing units"), 0
        default_zone = Unit._meta.get_field("timezone").default
        levels: dict[int, list[_UnitLine]] = {}
        for line in plan.unit_creates:
            levels.setdefault(plan.unit_depth[line.external_id], []).append(line)
        for _depth, lines in sorted(levels.items()):
            units = [
                Unit(
                    external_id=line.external_id,
                    name=line.name,
                    kind=line.kind,
                    timezone=line.timezone or default_zone,
                    parent_id=self.unit_ids[line.parent_external_id]
                    if line.parent_external_id
                    else None,
                )
                for line in lines
            ]
            for batch in _chunks(units):
                Unit.objects.bulk_create(batch)
            self._fetch_missing_ids(units)
            self.unit_ids.update({unit.external_id: unit.pk for unit in units})
            for batch in _chunks([unit.pk for unit in units]):
                self._set_paths(batch)
                done += len(batch)
                self.tick(phase, done, total)
        updated = [
            Unit(
                pk=self.unit_ids[line.external_id],
                name=line.name,
                kind=line.kind,
                timezone=line.timezone or state.units[self.unit_ids[line.external_id]].timezone,
                updated_at=self.now,
            )
            for line in plan.unit_updates
        ]
        for batch in _chunks(updated):
            Unit.objects.bulk_update(batch, ["name", "kind", "timezone", "updated_at"])
            done += len(batch)
            self.tick(phase, done, total)
        # New units sit under their parent's current path; moving an ancestor afterwards
        # re-paths them with the rest of its subtree.
        for line in plan.unit_moves:
            # Read afresh: earlier moves may have re-pathed this unit or its new parent.
            unit = Unit.objects.get(pk=self.unit_ids[line.external_id])
            parent_ext = line.parent_external_id
            parent = Unit.objects.get(pk=self.unit_ids[parent_ext]) if parent_ext else None
            unit_move(unit=unit, new_parent=parent)
            done += 1
            self.tick(phase, done, total)

    @staticmethod
    def _set_paths(ids: list[int]) -> None:
        """Give new units the path and depth ``unit_path_for`` gives, in one statement."""
        parent = Unit.objects.filter(pk=OuterRef("parent_id"))
        Unit.objects.filter(pk__in=ids).update(
            path=Concat(
                Coalesce(Subquery(parent.values("path")[:1]), Value("/")),
                Cast("id", output_field=CharField()),
                Value("/"),
                output_field=CharField(),
            ),
            depth=Coalesce(Subquery(parent.values("depth")[:1]) + 1, Value(0)),
        )

    def _fetch_missing_ids(self, units: list[Unit]) -> None:
        # Backends that cannot return ids from a bulk insert leave them unset.
        missing = [unit for unit in units if unit.pk is None]
        if not missing:
            return
        ids: dict[str, int] = {}
        for batch in _chunks([unit.external_id for unit in missing]):
            ids.update(Unit.objects.filter(external_id__in=batch).values_list("external_id", "pk"))
        for unit in missing:
            unit.pk = ids[unit.external_id]

    def write_members(self) -> None:
        plan, state = self.plan, self.state
        if not plan.member_lines:
            return
        org_ids = {name: org.id for name, org in state.orgs_by_name.items()}
        new_orgs = [
            PartnerOrganisation(name=name, kind=kind) for name, kind in plan.org_creates.values()
        ]
        PartnerOrganisation.objects.bulk_create(new_orgs, batch_size=BATCH_SIZE)
        if any(org.pk is None for org in new_orgs):
            names = [org.name for org in new_orgs]
            org_ids.update(
                (name.lower(), pk)
                for name, pk in PartnerOrganisation.objects.filter(name__in=names).values_list(
                    "name", "pk"
                )
            )
        else:
            org_ids.update((org.name.lower(), org.pk) for org in new_orgs)
        PartnerOrganisation.objects.bulk_update(
            [PartnerOrganisation(pk=pk, kind=kind) for pk, kind in plan.org_updates.items()],
            ["kind"],
            batch_size=BATCH_SIZE,
        )

        def member(line: _MemberLine, **extra: Any) -> Member:
            organisation = (line.partner_organisation or "").lower()
            return Member(
                external_id=line.external_id,
                first_name=line.first_name,
                last_name=line.last_name,
                email=line.email,
                phone=line.phone,
                job_title=line.job_title,
                unit_id=self.unit_ids[line.unit_external_id],
                contract_type=line.contract_type,
                partner_organisation_id=org_ids[organisation] if organisation else None,
                proximity=line.proximity,
                is_active=line.is_active,
                **extra,
            )

        logins = self.create_logins()
        total = len(plan.member_creates) + len(plan.member_updates)
        phase, done = _("Writing members"), 0
        member_ids = {ext: m.id for ext, m in state.members.items()}
        for batch in _chunks(plan.member_creates):
            created = Member.objects.bulk_create(
                [member(line, user_id=logins.get(line.external_id)) for line in batch]
            )
            if any(m.pk is None for m in created):
                # Backends that cannot return ids from a bulk insert leave them unset.
                created = Member.objects.filter(external_id__in=[m.external_id for m in created])
            member_ids.update((m.external_id, m.pk) for m in created)
            done += len(batch)
            self.tick(phase, done, total)
        # Only the changed columns are written: bulk_update's cost grows with their number.
        by_fields: dict[tuple[str, ...], list[_MemberLine]] = {}
        for line, changed in plan.member_updates:
            by_fields.setdefault(changed, []).append(line)
        for changed, lines in by_fields.items():
            for batch in _chunks(lines):
                ids = [state.members[line.external_id].id for line in batch]
                Member.objects.bulk_update(
                    [member(line, pk=pk) for line, pk in zip(batch, ids, strict=True)], changed
                )
                Member.objects.filter(pk__in=ids).update(updated_at=self.now)
                done += len(batch)
                self.tick(phase, done, total)
        linked = [
            Member(pk=state.members[ext].id, user_id=user_id)
            for ext, user_id in logins.items()
            if ext in state.members
        ]
        Member.objects.bulk_update(linked, ["user"], batch_size=BATCH_SIZE)
        self.sync_stale_logins(member_ids)
        self.write_roles(member_ids)

    def create_logins(self) -> dict[str, int]:
        """Return the ids of the logins created for members who had none, by external id.

        This is ``member_sync_user``'s first case (a member with an e-mail, no login, and
        no login with that address), done in bulk with the same result, so that a first
        import of thousands of members stays quick.
        """
        lines = [
            line for line in self.plan.member_lines if line.external_id in self.plan.fresh_logins
        ]
        logins: dict[str, int] = {}
        phase = _("Creating logins")
        for done, batch in enumerate(_chunks(lines), 1):
            users = []
            for line in batch:
                user = User(email=line.email, is_active=line.is_active)
                user.set_unusable_password()
                users.append(user)
            User.objects.bulk_create(users)
            if any(user.pk is None for user in users):
                ids = dict(
                    User.objects.filter(email__in=[u.email for u in users]).values_list(
                        "email", "pk"
                    )
                )
                for user in users:
                    user.pk = ids[user.email]
            logins.update(
                (line.external_id, user.pk) for line, user in zip(batch, users, strict=True)
            )
            self.tick(phase, min(done * BATCH_SIZE, len(lines)), len(lines))
        return logins

    def sync_stale_logins(self, member_ids: dict[str, int]) -> None:
        ids = [member_ids[ext] for ext in self.plan.stale_logins]
        phase, done = _("Aligning logins"), 0
        for batch in _chunks(ids):
            for member in Member.objects.filter(pk__in=batch).select_related("user"):
                member_sync_user(member)
            done += len(batch)
            self.tick(phase, done, len(ids))

    def write_roles(self, member_ids: dict[str, int]) -> None:
        plan = self.plan
        total = len(plan.role_grants) + len(plan.role_revokes)
        if not total:
            return
        phase, done = _("Granting roles"), 0
        for batch in _chunks(plan.role_revokes):
            Role.objects.filter(pk__in=batch).delete()
            done += len(batch)
            self.tick(phase, done, total)
        members = Member.objects.in_bulk([member_ids[ext] for ext, _k, _u in plan.role_grants])
        unit_ids = {
            unit if isinstance(unit, int) else self.unit_ids[unit]
            for _e, _k, unit in plan.role_grants
            if unit is not None
        }
        units = Unit.objects.in_bulk(list(unit_ids))
        for ext, kind, unit in plan.role_grants:
            unit_id = unit if isinstance(unit, int) or unit is None else self.unit_ids[unit]
            role_grant(
                member=members[member_ids[ext]],
                kind=kind,
                unit=units[unit_id] if unit_id is not None else None,
            )
            done += 1
            if done % TICK_EVERY == 0 or done == total:
                self.tick(phase, done, total)


# --- the entry point ------------------------------------------------------------------


def _sort_errors(errors: list[LineError], order: Iterable[str]) -> None:
    rank = {label: index for index, label in enumerate(order)}
    errors.sort(key=lambda e: (rank.get(e.file, len(rank)), e.line or 0))


def org_import(
    *,
    units_file: IO | None,
    members_file: IO | None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Return the report of importing units and members from CSV files.

    Every line is checked before anything is written. With errors, nothing is written,
    unless ``skip_invalid``: then the valid lines are, and the others are reported.
    ``dry_run`` reports what would change and writes nothing. ``progress``, when given,
    is called with ``(phase, done, total)`` as the work goes on.
    """
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    labels = [_file_label(units_file, "units.csv"), _file_label(members_file, "members.csv")]
    if units_file is None and members_file is None:
        report.errors.append(
            LineError("", None, "", _("Give a units file, a members file, or both."), "no_file")
        )
        report.blocked = True
        return report
    try:
        units = (
            _read_table(units_file, label=labels[0], columns=UNIT_COLUMNS)
            if units_file is not None
            else None
        )
        members = (
            _read_table(members_file, label=labels[1], columns=MEMBER_COLUMNS)
            if members_file is not None
            else None
        )
    except _FileProblem as problem:
        # A file that cannot be read cannot be partly imported either.
        report.errors.append(problem.error)
        report.blocked = True
        return report

    def plan_and_write() -> None:
        state = _State(with_members=members is not None)
        planner = _Planner(
            state=state,
            report=report,
            skip_invalid=skip_invalid,
            actor=actor,
            progress=progress,
        )
        planner.plan_units(units)
        planner.plan_members(members)
        _sort_errors(report.errors, labels)
        report.blocked = bool(report.errors) and not skip_invalid
        if dry_run or report.blocked:
            return
        _Writer(state=state, plan=planner.plan, progress=progress).write()
        audit_record(actor=actor, action="org.import", target="org", details=report.as_details())
        report.applied = True

    if dry_run:
        plan_and_write()
        return report
    try:
        # Read and write in one transaction, so the plan is made on what it changes.
        with transaction.atomic():
            plan_and_write()
    except IntegrityError:
        logger.warning("Organisation import rolled back", exc_info=True)
        report.applied = False
        report.blocked = True
        report.errors.append(
            LineError(
                "",
                None,
                "",
                _("The organisation changed during the import; nothing was written. Run it again."),
                "concurrent_change",
            )
        )
    return report
