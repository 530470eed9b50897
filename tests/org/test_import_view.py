"""The import page: administrators only, a preview by default, errors shown escaped."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.org.models import Member, Unit
from tests.personas import PASSWORD

URL = reverse("org:import")
UNITS = "external_id,name,kind,parent_external_id\n"
MEMBERS = (
    "external_id,first_name,last_name,email,phone,job_title,unit_external_id,contract_type,"
    "partner_organisation,partner_kind,proximity,roles,active\n"
)


def _login(client, user) -> None:
    assert client.login(username=user.email, password=PASSWORD)


def upload(text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def post(client, *, units: str | None = None, members: str | None = None, **flags):
    data = {name: "on" for name, value in flags.items() if value}
    if units is not None:
        data["units_file"] = upload(units, "units.csv")
    if members is not None:
        data["members_file"] = upload(members, "members.csv")
    return client.post(URL, data)


def test_anonymous_is_sent_to_login(client, personas):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    "persona",
    ["direction", "region_manager", "shop_manager", "employee", "partner", "outsider"],
)
def test_only_administrators_may_import(client, personas, persona):
    _login(client, getattr(personas, persona))
    assert client.get(URL).status_code == 403
    response = post(client, units=UNITS + "U-NEW,New,shop,U-NORD\n")
    assert response.status_code == 403
    assert not Unit.objects.filter(external_id="U-NEW").exists()


def test_the_form_has_two_files_and_dry_run_ticked(client, personas):
    _login(client, personas.admin)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file" name="units_file"' in html and 'type="file" name="members_file"' in html
    assert 'name="dry_run" id="id_dry_run" checked' in html
    assert (
        'name="skip_invalid"' in html
        and 'name="skip_invalid" id="id_skip_invalid" checked' not in html
    )
    assert 'enctype="multipart/form-data"' in html
    assert response.context["nav_section"] == "import"


def test_a_preview_shows_the_changes_and_writes_nothing(client, personas):
    _login(client, personas.admin)
    response = post(
        client,
        units=UNITS + "U-NEW,Lens,shop,U-NORD\n",
        members=MEMBERS + "N1,Ann,Lee,ann@example.com,,,U-NEW,permanent,,,,,\n",
        dry_run=True,
    )
    assert response.status_code == 200
    assert 'data-status="preview"' in response.content.decode()
    report = response.context["report"]
    assert (report.units.created, report.members.created) == (1, 1)
    assert not Unit.objects.filter(external_id="U-NEW").exists()
    assert not Member.objects.filter(external_id="N1").exists()


def test_an_administrator_imports_the_files(client, personas):
    _login(client, personas.admin)
    response = post(
        client,
        units=UNITS + "U-NEW,Lens,shop,U-NORD\n",
        members=MEMBERS + "N1,Ann,Lee,ann@example.com,,,U-NEW,permanent,,,,,\n",
    )
    assert response.status_code == 200
    assert 'data-status="applied"' in response.content.decode()
    assert Member.objects.get(external_id="N1").unit.external_id == "U-NEW"
    entry = AuditEntry.objects.get(action="org.import")
    assert entry.actor == personas.admin


def test_errors_are_listed_with_line_and_field_and_escaped(client, personas):
    _login(client, personas.admin)
    response = post(client, units=UNITS + "U-X,X,<script>alert(1)</script>,U-NORD\n")
    html = response.content.decode()
    assert 'data-status="blocked"' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<td>units.csv</td><td>2</td><td>kind</td>" in html
    assert not Unit.objects.filter(external_id="U-X").exists()


def test_skip_invalid_imports_the_valid_lines(client, personas):
    _login(client, personas.admin)
    response = post(
        client, units=UNITS + "U-OK,Ok,shop,U-NORD\nU-KO,Ko,blob,U-NORD\n", skip_invalid=True
    )
    assert 'data-status="applied"' in response.content.decode()
    assert Unit.objects.filter(external_id="U-OK").exists()
    assert not Unit.objects.filter(external_id="U-KO").exists()


def test_an_oversized_file_is_refused_with_a_clear_message(client, personas, settings):
    settings.MIROIR_IMPORT_MAX_BYTES = 100
    _login(client, personas.admin)
    response = post(
        client, units=UNITS + "".join(f"U{i},Shop {i},shop,U-NORD\n" for i in range(20))
    )
    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors["units_file"]
    assert not Unit.objects.filter(external_id="U1").exists()


def test_sending_no_file_is_refused(client, personas):
    _login(client, personas.admin)
    response = client.post(URL, {"dry_run": "on"})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].non_field_errors()


def test_a_post_without_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)
    _login(client, personas.admin)
    response = post(client, units=UNITS + "U-NEW,New,shop,U-NORD\n")
    assert response.status_code == 403
    assert not Unit.objects.filter(external_id="U-NEW").exists()
