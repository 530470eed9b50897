"""The organisation import: reading the files, checking each line, writing all or nothing."""

from __future__ import annotations

import codecs
import io
import random
from pathlib import Path

import pytest
from django.utils import translation

from miroir.accounts.models import User
from miroir.accounts.services import account_disable
from miroir.audit.models import AuditEntry
from miroir.org import imports
from miroir.org.imports import ImportReport, org_import
from miroir.org.models import Member, PartnerOrganisation, Role, RoleKind, Unit
from miroir.org.services import unit_create, unit_path_for

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
UNITS = "external_id,name,kind,parent_external_id\n"
MEMBERS = (
    "external_id,first_name,last_name,email,phone,job_title,unit_external_id,contract_type,"
    "partner_organisation,partner_kind,proximity,roles,active\n"
)


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in the source language, whatever the catalogs hold.
    with translation.override("en"):
        yield


def csv_file(text: str | bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(text.encode() if isinstance(text, str) else text)
    handle.name = name
    return handle


def run(units: str | bytes | None = None, members: str | bytes | None = None, **options):
    return org_import(
        units_file=csv_file(units, "units.csv") if units is not None else None,
        members_file=csv_file(members, "members.csv") if members is not None else None,
        **options,
    )


def run_examples(**options) -> ImportReport:
    with (EXAMPLES / "units.csv").open("rb") as units, (EXAMPLES / "members.csv").open("rb") as m:
        return org_import(units_file=units, members_file=m, **options)


def errors(report: ImportReport) -> set[tuple[str, int | None, str, str]]:
    return {(e.file, e.line, e.field, e.code) for e in report.errors}


def snapshot() -> dict[str, list]:
    """Return every row the import may touch, to compare before and after."""
    return {
        "units": list(
            Unit.objects.order_by("pk").values_list(
                "pk", "external_id", "name", "kind", "parent_id", "path", "depth", "timezone"
            )
        ),
        "members": list(
            Member.objects.order_by("pk").values_list(
                "pk",
                "external_id",
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
                "user_id",
                "updated_at",
            )
        ),
        "organisations": list(PartnerOrganisation.objects.order_by("pk").values_list()),
        "roles": list(Role.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "is_active")),
        "audit": list(AuditEntry.objects.values_list("pk", flat=True)),
    }


def assert_tree_is_consistent() -> None:
    units = Unit.objects.in_bulk()
    for unit in units.values():
        parent = units.get(unit.parent_id)
        assert unit.path == unit_path_for(unit.pk, parent), unit.name
        assert unit.depth == (parent.depth + 1 if parent else 0), unit.name


def unit(ext: str) -> Unit:
    return Unit.objects.get(external_id=ext)


def member(ext: str) -> Member:
    return Member.objects.select_related("user", "partner_organisation").get(external_id=ext)


# --- reading the files ----------------------------------------------------------------


def test_the_documented_example_imports_without_error(db):
    report = run_examples()
    assert report.errors == [] and report.applied
    assert report.units.created == 9 and report.members.created == 13
    assert report.partner_organisations.created == 3
    assert unit("T-PARIS-11-FOURNIL").parent == unit("S-PARIS-11")
    assert_tree_is_consistent()


def test_bom_semicolons_and_header_case_are_accepted(db):
    text = (
        " External_ID ; NAME ;Kind;Parent_External_Id\r\nHQ;Siège;company;\r\nR1;Nord;region;HQ\r\n"
    )
    report = run(codecs.BOM_UTF8 + text.encode())
    assert report.errors == []
    assert unit("HQ").name == "Siège"
    assert unit("R1").parent == unit("HQ")


def test_french_headers_and_values_are_understood(personas):
    members = (
        "Matricule;Prénom;Nom;Courriel;Unité;Type de contrat;Rôles;Actif;Colonne inconnue\n"
        "F1;Zoé;Durand;Zoe.Durand@Example.com;U-LILLE;CDD;responsable;oui;x\n"
    )
    report = run(members=members)
    assert report.errors == []
    zoe = member("F1")
    assert (zoe.first_name, zoe.last_name, zoe.contract_type) == ("Zoé", "Durand", "fixed_term")
    assert zoe.email == "zoe.durand@example.com"
    assert Role.objects.filter(member=zoe, kind=RoleKind.MANAGER, unit=personas.lille).exists()


def test_quoted_values_may_hold_the_delimiter_and_line_breaks(db):
    report = run(
        UNITS + 'HQ,"Dupain, Père & Fils",company,\nR1,"Nord\nEst",region,HQ\nR2,Sud,region,HQ\n'
    )
    assert report.errors == []
    assert unit("HQ").name == "Dupain, Père & Fils"
    assert unit("R1").name == "Nord\nEst"


def test_line_numbers_count_the_lines_of_the_file(db):
    report = run(UNITS + '\nHQ,"Two\nlines",company,\nR1,Nord,blob,HQ\n')
    assert errors(report) == {("units.csv", 5, "kind", "unknown_choice")}


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        ("nom,prénom\n".encode("latin-1"), "file_encoding", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file_encoding", None),
        (b"external_id,name\x00,kind\n", "file_not_csv", None),
        (b"", "file_empty", None),
        (b"\n ,, \n\n", "file_empty", None),
        (b"external_id,name\nHQ,Head office\n", "missing_columns", 1),
        (b"external_id,name,nom,kind,parent_external_id\n", "duplicate_column", 1),
        (
            b'external_id,name,kind,parent_external_id\nHQ,"Head" office,company,\n',
            "file_not_csv",
            2,
        ),
    ],
)
def test_an_unreadable_file_gets_one_clear_error_and_changes_nothing(personas, content, code, line):
    before = snapshot()
    report = run(content, MEMBERS + "N1,Ann,Lee,,,,U-LILLE,permanent,,,,,\n", skip_invalid=True)
    assert [(e.file, e.line, e.code) for e in report.errors] == [("units.csv", line, code)]
    assert report.blocked and not report.applied
    assert snapshot() == before


def test_missing_columns_are_named(db):
    report = run(b"external_id;name\nHQ;Head office\n")
    assert "kind" in report.errors[0].message and "parent_external_id" in report.errors[0].message


def test_a_file_with_only_its_header_changes_nothing(personas):
    before = snapshot()
    report = run(UNITS, MEMBERS)
    assert report.errors == [] and report.units.created == report.members.created == 0
    assert snapshot()["units"] == before["units"]


def test_no_file_at_all_is_an_error(db):
    report = org_import(units_file=None, members_file=None)
    assert report.blocked and [e.code for e in report.errors] == ["no_file"]


# --- checking each line ---------------------------------------------------------------


def test_unit_lines_are_checked_field_by_field(personas):
    units = (
        UNITS
        + ",No id,shop,U-NORD\n"  # line 2
        + "X1,,shop,U-NORD\n"  # line 3
        + "X2,Bad kind,warehouse,U-NORD\n"  # line 4
        + "X3,Lost,shop,U-NOWHERE\n"  # line 5
        + "X4,Twice,shop,U-NORD\n"  # line 6
        + "X4,Twice again,shop,U-NORD\n"  # line 7
        + f"X5,{'n' * 201},shop,U-NORD\n"  # line 8
        + "X6,Extra,shop,U-NORD,surprise\n"  # line 9
    )
    report = run(units)
    assert errors(report) == {
        ("units.csv", 2, "external_id", "required"),
        ("units.csv", 3, "name", "required"),
        ("units.csv", 4, "kind", "unknown_choice"),
        ("units.csv", 5, "parent_external_id", "unknown_unit"),
        ("units.csv", 7, "external_id", "duplicate"),
        ("units.csv", 8, "name", "too_long"),
        ("units.csv", 9, "", "wrong_value_count"),
    }
    assert "line 6" in next(e.message for e in report.errors if e.line == 7)


def test_an_unknown_time_zone_is_refused(db):
    report = run(
        "external_id,name,kind,parent_external_id,timezone\nHQ,Siège,company,,Mars/Olympus\n"
    )
    assert errors(report) == {("units.csv", 2, "timezone", "unknown_timezone")}


def test_a_cycle_in_the_file_is_refused_on_each_of_its_lines(db):
    report = run(UNITS + "A,A,region,B\nB,B,region,C\nC,C,region,A\nD,D,shop,D\n")
    assert errors(report) == {
        ("units.csv", 2, "parent_external_id", "cycle"),
        ("units.csv", 3, "parent_external_id", "cycle"),
        ("units.csv", 4, "parent_external_id", "cycle"),
        ("units.csv", 5, "parent_external_id", "cycle"),
    }
    assert not Unit.objects.exists()


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_units_under_a_unit_with_an_unknown_parent_are_left_out(db, skip_invalid):
    report = run(UNITS + "A,A,shop,B\nB,B,region,NOPE\nC,C,team,A\n", skip_invalid=skip_invalid)
    expected = {("units.csv", 3, "parent_external_id", "unknown_unit")}
    if skip_invalid:
        expected |= {
            ("units.csv", 2, "parent_external_id", "depends_on_invalid"),
            ("units.csv", 4, "parent_external_id", "depends_on_invalid"),
        }
    assert errors(report) == expected
    assert not Unit.objects.exists()


def test_moving_a_unit_under_its_own_subtree_is_a_cycle(personas):
    report = run(UNITS + "U-NORD,Nord,region,U-LILLE-V\n")
    assert errors(report) == {("units.csv", 2, "parent_external_id", "cycle")}
    assert unit("U-NORD").parent == personas.company


def test_member_lines_are_checked_field_by_field(personas):
    members = (
        MEMBERS
        + "N1,,Lee,,,,U-LILLE,permanent,,,,,\n"  # 2: no first name
        + "N2,Ann,Lee,not-an-email,,,U-LILLE,permanent,,,,,\n"  # 3
        + "N3,Ann,Lee,emile@example.com,,,U-LILLE,permanent,,,,,\n"  # 4: Émile's
        + "N4,Ann,Lee,ann@example.com,,,U-NOWHERE,permanent,,,,,\n"  # 5
        + "N5,Ann,Lee,ann@example.com,,,U-LILLE,freelance,,,,,\n"  # 6: e-mail of line 5
        + "N6,Ann,Lee,,,,U-LILLE,partner,,,regular,,\n"  # 7: partner without organisation
        + "N7,Ann,Lee,,,,U-LILLE,partner,CleanCo,,,,\n"  # 8: partner without proximity
        + "N8,Ann,Lee,,,,U-LILLE,permanent,,,core,,\n"  # 9: proximity for an employee
        + "N9,Ann,Lee,,,,U-LILLE,partner,CleanCo,,close,,\n"  # 10
        + "N10,Ann,Lee,,,,U-LILLE,permanent,,,,boss,\n"  # 11
        + "N11,Ann,Lee,,,,U-LILLE,permanent,,,,,maybe\n"  # 12
        + "N11,Ann,Lee,,,,U-LILLE,permanent,,,,,\n"  # 13
        + f"N12,{'a' * 101},Lee,,,,U-LILLE,permanent,,,,,\n"  # 14
        + "N13,Ann,Lee,,,,,permanent,,,,,\n"  # 15
    )
    before = snapshot()
    report = run(members=members)
    assert errors(report) == {
        ("members.csv", 2, "first_name", "required"),
        ("members.csv", 3, "email", "invalid_email"),
        ("members.csv", 4, "email", "email_taken"),
        ("members.csv", 5, "unit_external_id", "unknown_unit"),
        ("members.csv", 6, "email", "email_taken"),
        ("members.csv", 6, "contract_type", "unknown_choice"),
        ("members.csv", 7, "partner_organisation", "partner_organisation_required"),
        ("members.csv", 8, "proximity", "proximity_required"),
        ("members.csv", 9, "proximity", "proximity_forbidden"),
        ("members.csv", 10, "proximity", "unknown_choice"),
        ("members.csv", 11, "roles", "unknown_choice"),
        ("members.csv", 12, "active", "invalid_boolean"),
        ("members.csv", 13, "external_id", "duplicate"),
        ("members.csv", 14, "first_name", "too_long"),
        ("members.csv", 15, "unit_external_id", "required"),
    }
    assert report.blocked and snapshot() == before


def test_an_address_taken_by_another_login_is_refused(personas):
    # Émile already has a login; Olivier's address belongs to a login of no member.
    report = run(
        members=MEMBERS + "M-émile,Émile,Vendeur,olivier@example.com,,,U-LILLE-V,permanent,,,,,\n"
    )
    assert errors(report) == {("members.csv", 2, "email", "login_taken")}


def test_a_member_may_keep_their_own_address_in_any_case(personas):
    report = run(
        members=MEMBERS
        + "M-émile,Émile,Vendeur,EMILE@example.com,,Vendeur,U-LILLE-V,permanent,,,,,\n"
    )
    assert report.errors == []
    assert report.members.unchanged == 1


def test_error_text_names_the_file_the_line_and_the_field(db):
    report = run(members=MEMBERS + "N1,Ann,Lee,bad,,,U-X,permanent,,,,,\n")
    texts = [str(error) for error in report.errors]
    assert any(t.startswith("members.csv line 2, field email: ") for t in texts)


def test_new_partner_organisations_need_a_kind_and_one_kind_only(personas):
    members = (
        MEMBERS
        + "P1,Ann,Lee,,,,U-LILLE,partner,NewCo,,core,,\n"
        + "P2,Bob,Lee,,,,U-LILLE,partner,OtherCo,supplier,core,,\n"
        + "P3,Cid,Lee,,,,U-LILLE,partner,otherco,contractor,core,,\n"
    )
    report = run(members=members)
    assert errors(report) == {
        ("members.csv", 2, "partner_kind", "partner_kind_required"),
        ("members.csv", 4, "partner_kind", "partner_kind_conflict"),
    }


def test_an_administrator_cannot_import_away_their_own_access(personas):
    ada = member("M-ada")
    line = "M-ada,Ada,Admin,ada@example.com,,,U-HQ,permanent,,,,direction,false\n"
    report = run(members=MEMBERS + line, actor=personas.admin)
    assert errors(report) == {
        ("members.csv", 2, "roles", "own_administrator"),
        ("members.csv", 2, "active", "own_login"),
    }
    assert Role.objects.filter(member=ada, kind=RoleKind.ADMINISTRATOR).exists()


# --- all or nothing, skipping, dry runs -----------------------------------------------


def test_one_invalid_line_leaves_every_table_unchanged(personas):
    before = snapshot()
    units = UNITS + "U-NEW,Lens,shop,U-NORD\nU-LILLE,Lille Centre,shop,U-SUD\n"
    members = (
        MEMBERS
        + "N1,Ann,Lee,ann@example.com,,,U-NEW,permanent,,,,manager,\n"
        + "M-sophie,Sophie,Lille,sophie@example.com,,,U-LILLE,permanent,,,,,\n"
        + "P1,Pat,Lee,pat@newco.example,,,U-LILLE,partner,NewCo,supplier,core,,\n"
        + "N2,Bad,Line,bad-address,,,U-LILLE,permanent,,,,,\n"
    )
    report = run(units, members)
    assert errors(report) == {("members.csv", 5, "email", "invalid_email")}
    assert report.blocked and not report.applied
    assert snapshot() == before
    assert unit("U-LILLE").parent == personas.nord
    assert not Member.objects.filter(external_id="N1").exists()


def test_skip_invalid_writes_the_valid_lines_and_reports_the_others(personas):
    units = (
        UNITS
        + "U-NEW,Lens,shop,U-NORD\n"  # 2: valid
        + "U-BAD,Bad,warehouse,U-NORD\n"  # 3: invalid
        + "U-UNDER,Under bad,team,U-BAD\n"  # 4: depends on line 3
        + "U-LILLE,Lille,bogus,U-NORD\n"  # 5: invalid, but Lille exists
    )
    members = (
        MEMBERS
        + "N1,Ann,Lee,ann@example.com,,,U-NEW,permanent,,,,,\n"  # 2: valid
        + "N2,Bob,Lee,,,,U-BAD,permanent,,,,,\n"  # 3: depends on units line 3
        + "N3,Cid,Lee,,,,U-UNDER,permanent,,,,,\n"  # 4: depends on units line 4
        + "N4,Dan,Lee,,,,U-LILLE,permanent,,,,,\n"  # 5: Lille is in the database
        + "N5,Eve,Lee,nope,,,U-LILLE,permanent,,,,,\n"  # 6: invalid
    )
    report = run(units, members, skip_invalid=True)
    assert errors(report) == {
        ("units.csv", 3, "kind", "unknown_choice"),
        ("units.csv", 4, "parent_external_id", "depends_on_invalid"),
        ("units.csv", 5, "kind", "unknown_choice"),
        ("members.csv", 3, "unit_external_id", "depends_on_invalid"),
        ("members.csv", 4, "unit_external_id", "depends_on_invalid"),
        ("members.csv", 6, "email", "invalid_email"),
    }
    assert report.applied and not report.blocked
    assert report.skipped_lines == 6
    assert report.units.created == 1 and report.members.created == 2
    assert set(
        Member.objects.filter(external_id__in=["N1", "N2", "N3", "N4", "N5"]).values_list(
            "external_id", flat=True
        )
    ) == {"N1", "N4"}
    assert not Unit.objects.filter(external_id__in=["U-BAD", "U-UNDER"]).exists()
    assert unit("U-LILLE").kind == "shop"
    assert_tree_is_consistent()


def test_without_skip_invalid_a_dependent_line_is_not_reported_twice(personas):
    report = run(
        UNITS + "U-BAD,Bad,warehouse,U-NORD\nU-UNDER,Under,team,U-BAD\n",
        MEMBERS + "N2,Bob,Lee,,,,U-BAD,permanent,,,,,\n",
    )
    assert errors(report) == {("units.csv", 2, "kind", "unknown_choice")}


def test_skipping_a_cycle_keeps_the_rest_of_the_file(personas):
    report = run(
        UNITS + "A,A,region,B\nB,B,region,A\nC,C,shop,U-NORD\nD,D,team,A\n", skip_invalid=True
    )
    assert errors(report) == {
        ("units.csv", 2, "parent_external_id", "cycle"),
        ("units.csv", 3, "parent_external_id", "cycle"),
        ("units.csv", 5, "parent_external_id", "depends_on_invalid"),
    }
    assert unit("C").parent == personas.nord
    assert not Unit.objects.filter(external_id__in=["A", "B", "D"]).exists()


def test_a_dry_run_reports_the_changes_and_writes_nothing(personas):
    before = snapshot()
    report = run_examples(dry_run=True)
    assert report.errors == [] and not report.applied and not report.blocked
    assert (report.units.created, report.members.created, report.logins_created) == (9, 13, 7)
    assert report.roles_granted == 7
    assert snapshot() == before


def test_a_dry_run_with_errors_says_the_import_would_be_blocked(personas):
    report = run(UNITS + "X,X,blob,\n", dry_run=True)
    assert report.blocked and not report.applied


# --- writing --------------------------------------------------------------------------


def test_a_second_import_of_the_same_files_changes_nothing(db):
    run_examples()
    before = snapshot()
    report = run_examples()
    assert report.errors == []
    assert (report.units.created, report.units.updated) == (0, 0)
    assert report.units.unchanged == 9
    assert (report.members.created, report.members.updated, report.members.unchanged) == (0, 0, 13)
    assert report.partner_organisations.unchanged == 3
    assert (report.roles_granted, report.roles_revoked, report.logins_created) == (0, 0, 0)
    after = snapshot()
    assert after["audit"][1:] == before["audit"]  # only the new import's own entry
    del after["audit"], before["audit"]
    assert after == before


def test_parents_may_come_later_in_the_file(db):
    report = run(UNITS + "T1,Team,team,S1\nS1,Shop,shop,R1\nR1,Region,region,HQ\nHQ,HQ,company,\n")
    assert report.errors == []
    assert unit("T1").depth == 3
    assert unit("T1").path == f"/{unit('HQ').pk}/{unit('R1').pk}/{unit('S1').pk}/{unit('T1').pk}/"
    assert_tree_is_consistent()


def test_new_units_can_hang_under_units_already_in_the_database(personas):
    run(UNITS + "U-LILLE-R,Lille Réserve,team,U-LILLE\n")
    reserve = unit("U-LILLE-R")
    assert reserve.path == f"{personas.lille.path}{reserve.pk}/"
    assert reserve.depth == personas.lille.depth + 1


def test_reparenting_through_a_reimport_moves_the_whole_subtree(personas):
    report = run(UNITS + "U-LILLE,Lille,shop,U-SUD\n")
    assert report.units.updated == 1
    vente = unit("U-LILLE-V")
    assert vente.path == f"{personas.company.path}{personas.sud.pk}/{personas.lille.pk}/{vente.pk}/"
    assert vente.depth == 3
    assert_tree_is_consistent()


def test_moves_and_new_units_mix_in_any_order(personas):
    units = (
        UNITS
        + "U-EST,Est,region,U-HQ\n"  # new region
        + "U-NORD,Nord,region,U-EST\n"  # existing region moved under the new one
        + "U-LILLE-R,Réserve,team,U-LILLE\n"  # new team under a shop that moves with Nord
        + "U-MARS,Marseille,shop,U-NORD\n"  # existing shop moved into the moved region
        + "U-MARS-T,Marseille Team,team,U-MARS\n"
    )
    report = run(units)
    assert report.errors == []
    assert (report.units.created, report.units.updated) == (3, 2)
    assert unit("U-LILLE-R").path.startswith(unit("U-EST").path)
    assert unit("U-MARS-T").depth == 4
    assert_tree_is_consistent()


def test_unit_fields_are_updated_and_a_missing_time_zone_is_kept(personas):
    Unit.objects.filter(pk=personas.arras.pk).update(timezone="Europe/Brussels")
    report = run(UNITS + "U-ARRAS,Arras Centre,branch,U-NORD\n")
    arras = unit("U-ARRAS")
    assert (arras.name, arras.kind, arras.timezone) == ("Arras Centre", "branch", "Europe/Brussels")
    assert report.units.updated == 1


def test_members_are_created_with_logins_without_password(personas):
    members = MEMBERS + "N1,Ann,Lee,Ann.Lee@Example.com,+33 6,Cashier,U-LILLE-C,permanent,,,,,\n"
    report = run(members=members)
    assert report.logins_created == 1
    ann = member("N1")
    assert ann.unit == personas.lille_caisse and ann.job_title == "Cashier"
    assert ann.user is not None and ann.user.email == "ann.lee@example.com"
    assert ann.user.is_active and not ann.user.has_usable_password()


def test_a_member_made_inactive_or_without_address_loses_their_login(personas):
    members = (
        MEMBERS
        + "M-émile,Émile,Vendeur,emile@example.com,,Vendeur,U-LILLE-V,permanent,,,,,non\n"
        + "M-simon,Simon,Arras,,,,U-ARRAS,permanent,,,,manager,\n"
    )
    report = run(members=members)
    assert report.members.updated == 2
    assert not member("M-émile").is_active and not member("M-émile").user.is_active
    simon = member("M-simon")
    assert simon.email is None and not simon.user.is_active


def test_a_login_an_administrator_disabled_stays_disabled_through_imports(personas):
    account_disable(user=personas.employee, actor=personas.admin)
    line = "M-émile,Émile,Vendeur,emile@example.com,,Vendeur,U-LILLE-V,permanent,,,,,oui\n"
    for _ in range(2):
        report = run(members=MEMBERS + line)
        assert report.errors == []
        assert member("M-émile").is_active and not member("M-émile").user.is_active


def test_a_changed_address_changes_the_login(personas):
    run(
        members=MEMBERS
        + "M-émile,Émile,Vendeur,emile.v@example.com,,Vendeur,U-LILLE-V,permanent,,,,,\n"
    )
    emile = member("M-émile")
    assert emile.user_id == personas.employee.pk
    assert emile.user.email == "emile.v@example.com"


def test_missing_optional_columns_keep_what_the_member_has(personas):
    members = (
        "external_id,first_name,last_name,unit_external_id,contract_type\n"
        "M-émile,Émile,Vendeur,U-LILLE-V,permanent\n"
        "M-paul,Paul,Partenaire,U-LILLE,partner\n"
    )
    before = snapshot()
    report = run(members=members)
    assert report.errors == [] and report.members.unchanged == 2
    assert snapshot()["members"] == before["members"]
    assert snapshot()["roles"] == before["roles"]


def test_partner_organisations_are_matched_by_name_and_updated_by_kind(personas):
    members = (
        MEMBERS
        + "M-paul,Paul,Partenaire,paul@cleanco.example,,,U-LILLE,partner,"
        + "cleanco,supplier,regular,,\n"
        + "P1,Pia,Lee,,,,U-LILLE,partenaire,Minoterie,fournisseur,cœur,,\n"
        + "T1,Tom,Lee,,,,U-LILLE,interim,Intérim Plus,agency,,,\n"
    )
    report = run(members=members)
    assert report.errors == []
    assert (report.partner_organisations.created, report.partner_organisations.updated) == (2, 1)
    assert PartnerOrganisation.objects.get(name="CleanCo").kind == "supplier"
    pia = member("P1")
    assert (pia.partner_organisation.name, pia.proximity) == ("Minoterie", "core")
    assert member("T1").partner_organisation.kind == "agency"
    assert member("T1").proximity == ""


def test_roles_in_the_file_are_granted_and_the_others_revoked(personas):
    sophie = member("M-sophie")
    Role.objects.create(member=sophie, kind=RoleKind.MANAGER, unit=personas.arras)
    members = (
        MEMBERS
        + "M-sophie,Sophie,Lille,sophie@example.com,,,U-LILLE,permanent,,,,manager;direction,\n"
        + "M-simon,Simon,Arras,simon@example.com,,,U-ARRAS,permanent,,,,,\n"
        + "M-émile,Émile,Vendeur,emile@example.com,,Vendeur,U-LILLE-V,permanent,,,,manager,\n"
    )
    report = run(members=members)
    assert (report.roles_granted, report.roles_revoked) == (2, 2)
    held = set(Role.objects.values_list("member__external_id", "kind", "unit__external_id"))
    assert ("M-sophie", "manager", "U-LILLE") in held
    assert ("M-sophie", "direction", None) in held
    assert ("M-sophie", "manager", "U-ARRAS") not in held
    assert not any(ext == "M-simon" for ext, _kind, _unit in held)
    assert ("M-émile", "manager", "U-LILLE-V") in held


def test_a_manager_moved_to_a_new_unit_manages_that_unit(personas):
    report = run(
        UNITS + "U-LENS,Lens,shop,U-NORD\n",
        MEMBERS + "M-simon,Simon,Arras,simon@example.com,,,U-LENS,permanent,,,,manager,\n",
    )
    assert report.errors == []
    roles = list(Role.objects.filter(member__external_id="M-simon").values_list("kind", "unit"))
    assert roles == [("manager", unit("U-LENS").pk)]


def test_an_import_writes_one_audit_entry_without_personal_data(personas):
    before = AuditEntry.objects.count()
    run_examples(actor=personas.admin)
    entries = list(AuditEntry.objects.all()[: AuditEntry.objects.count() - before])
    assert [entry.action for entry in entries] == ["org.import"]
    entry = entries[0]
    assert entry.actor == personas.admin
    assert entry.details["members"]["created"] == 13
    assert "@" not in str(entry.details) and "Dupain" not in str(entry.details)


def test_progress_is_reported_phase_by_phase(db):
    calls = []
    run_examples(progress=lambda phase, done, total: calls.append((phase, done, total)))
    phases = [phase for phase, _done, _total in calls]
    assert len(set(phases)) >= 4
    last = {phase: (done, total) for phase, done, total in calls}
    assert all(done == total for done, total in last.values())


def test_the_number_of_queries_does_not_grow_with_the_lines(db, django_assert_max_num_queries):
    def files(count: int) -> tuple[str, str]:
        units = (
            UNITS + "HQ,HQ,company,\n" + "".join(f"S{i},Shop {i},shop,HQ\n" for i in range(count))
        )
        members = MEMBERS + "".join(
            f"E{i},First,Last,e{i}@example.com,,,S{i},permanent,,,,,\n" for i in range(count)
        )
        return units, members

    with django_assert_max_num_queries(60):
        report = run(*files(300))
    assert report.members.created == 300 and Member.objects.count() == 300
    assert User.objects.count() == 300


def test_a_write_conflict_rolls_everything_back(personas, monkeypatch):
    from django.db import IntegrityError

    before = snapshot()

    def conflict(self):
        self.write_units()
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(imports._Writer, "write", conflict)
    report = run(UNITS + "U-NEW,New,shop,U-NORD\n")
    assert report.blocked and [e.code for e in report.errors] == ["concurrent_change"]
    assert snapshot() == before


@pytest.mark.parametrize("seed", range(25))
def test_random_reimports_keep_the_tree_consistent(db, seed):
    """Random existing trees, random files with moves, new units, cycles and bad lines."""
    rnd = random.Random(seed)
    existing: list[Unit] = []
    for i in range(rnd.randint(0, 10)):
        parent = rnd.choice(existing) if existing and rnd.random() < 0.8 else None
        existing.append(unit_create(name=f"E{i}", kind="area", parent=parent, external_id=f"E{i}"))
    exts = [u.external_id for u in existing] + [f"N{i}" for i in range(rnd.randint(0, 8))]
    rows = []
    for ext in rnd.sample(exts, k=rnd.randint(0, len(exts))):
        parent = rnd.choice(["", "MISSING", *exts, *exts, *exts])
        rows.append((ext, "area" if rnd.random() < 0.9 else "bogus", parent))
    text = UNITS + "".join(f"{ext},{ext},{kind},{parent}\n" for ext, kind, parent in rows)
    skip_invalid = rnd.random() < 0.5
    before = snapshot()
    report = run(text, skip_invalid=skip_invalid)
    assert_tree_is_consistent()
    if report.blocked:
        assert snapshot() == before
        return
    invalid = {error.line for error in report.errors}
    for number, (ext, _kind, parent) in enumerate(rows, 2):
        if number not in invalid:
            written = unit(ext)
            assert (written.parent.external_id if written.parent else "") == parent
    again = run(text, skip_invalid=skip_invalid)
    assert (again.units.created, again.units.updated) == (0, 0)


def test_a_member_without_email_but_with_a_mobile_gets_a_login_keyed_by_the_number(personas):
    line = "M-field,Fatou,Terrain,,06 12 34 56 78,Vendeuse,U-LILLE,permanent,,,,,true\n"
    report = run(members=MEMBERS + line)
    assert not report.errors
    member = Member.objects.select_related("user").get(external_id="M-field")
    assert member.user is not None
    assert (member.user.email, member.user.phone, member.user.is_active) == (
        None,
        "+33612345678",
        True,
    )
    # Imported again with an e-mail address: the login follows the address, not the number.
    again = line.replace(",,06 12", ",fatou@example.com,06 12")
    assert not run(members=MEMBERS + again).errors
    member.user.refresh_from_db()
    assert (member.user.email, member.user.phone) == ("fatou@example.com", None)
