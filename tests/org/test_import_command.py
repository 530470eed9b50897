"""``miroir import_org``, and the shared base class of Miroir's commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from miroir.core.management.base import MiroirCommand
from miroir.org.models import Member, Unit

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
MEMBERS = (
    "external_id,first_name,last_name,email,phone,job_title,unit_external_id,contract_type,"
    "partner_organisation,partner_kind,proximity,roles,active\n"
)


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in the source language, whatever the catalogs hold.
    with translation.override("en"):
        yield


def import_org(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_command_imports_both_files_and_prints_a_summary(db):
    out, _err = import_org(
        "--units", str(EXAMPLES / "units.csv"), "--members", str(EXAMPLES / "members.csv")
    )
    assert Unit.objects.count() == 9 and Member.objects.count() == 13
    assert "Units — created: 9, updated: 0, unchanged: 0" in out
    assert "Members — created: 13, updated: 0, unchanged: 0" in out
    again, _err = import_org("--units", str(EXAMPLES / "units.csv"))
    assert "Units — created: 0, updated: 0, unchanged: 9" in again


def test_a_dry_run_writes_nothing(db):
    out, _err = import_org(
        "--dry-run",
        "--units",
        str(EXAMPLES / "units.csv"),
        "--members",
        str(EXAMPLES / "members.csv"),
    )
    assert "Dry run" in out and "Members — created: 13" in out
    assert not Unit.objects.exists() and not Member.objects.exists()


def test_errors_stop_the_command_and_change_nothing(personas, tmp_path):
    members = write(
        tmp_path,
        "staff.csv",
        MEMBERS
        + "N1,Ann,Lee,ann@example.com,,,U-LILLE,permanent,,,,,\n"
        + "N2,Bob,Lee,not-an-address,,,U-LILLE,permanent,,,,,\n"
        + "N3,Cid,Lee,,,,U-NOWHERE,permanent,,,,,\n",
    )
    count = Member.objects.count()
    with pytest.raises(CommandError) as raised:
        import_org("--members", members)
    message = str(raised.value)
    assert "staff.csv line 3, field email: " in message
    assert "staff.csv line 4, field unit_external_id: " in message
    assert Member.objects.count() == count


def test_skip_invalid_imports_the_valid_lines_and_lists_the_others(personas, tmp_path):
    members = write(
        tmp_path,
        "members.csv",
        MEMBERS
        + "N1,Ann,Lee,ann@example.com,,,U-LILLE,permanent,,,,,\n"
        + "N2,Bob,Lee,not-an-address,,,U-LILLE,permanent,,,,,\n",
    )
    out, err = import_org("--members", members, "--skip-invalid")
    assert Member.objects.filter(external_id="N1").exists()
    assert not Member.objects.filter(external_id="N2").exists()
    assert "members.csv line 3, field email: " in err
    assert "Invalid lines skipped: 1" in out


def test_an_unreadable_file_is_one_readable_error(personas, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("external_id;nom;type;parent\nX;Été;shop;\n".encode("cp1252"))
    with pytest.raises(CommandError, match=r"units\.csv: The file is not UTF-8"):
        import_org("--units", str(path))
    assert not Unit.objects.filter(external_id="X").exists()


def test_a_missing_file_or_no_file_at_all_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        import_org("--units", str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match="is a folder"):
        import_org("--members", str(tmp_path))
    with pytest.raises(CommandError, match="--units, --members"):
        import_org()


def test_the_base_command_turns_validation_errors_into_command_errors():
    class Refusing(MiroirCommand):
        def handle(self, *args, **options):
            raise ValidationError(["First problem.", "Second problem."])

    with pytest.raises(CommandError) as raised:
        call_command(Refusing())
    assert str(raised.value) == "First problem.\nSecond problem."


def test_the_progress_callback_draws_nothing_when_quiet(capsys):
    command = MiroirCommand()
    command.verbosity = 0
    with command.phase_progress() as progress:
        progress("Reading", 1, 2)
        progress("Reading", 2, 2)
        progress("Writing", 1, 1)
    assert capsys.readouterr().err == ""
