"""Hostile values in every form and every import: a 4xx or a form error, never a 500.

Every route of ``tests/security/matrix.py`` is called as a role that may use it. Its form
fields are read from the page itself (every ``<input>``, ``<select>`` and ``<textarea>`` of
the forms that post back to it, with their current values) plus the matrix's data; then each
field in turn receives each hostile value while the others keep theirs: NUL bytes, numbers
far beyond any column, dates before year 1 or at the end of time, digits of other scripts,
deep nesting, direction overrides. GET pages get the same treatment on the fields of their
filter forms. The imports (organisation CSV, questionnaire JSON, interactions and complaints
CSV) get hostile files. A refusal (4xx) must leave the database as it was.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from miroir.audit.models import AuditEntry
from miroir.collect.models import Interaction, Invitation
from miroir.org.models import Member, PartnerOrganisation, Unit
from miroir.voices.models import Voice
from tests.security.matrix import WEB, WEB_ROLES, Page
from tests.security.support import (
    changed_tables,
    client_as,
    database_print,
    page_url,
    rolled_back,
)
from tests.security.world import World

HOSTILE: dict[str, str] = {
    "nul": "a\x00b",
    "huge": "9" * 5000,
    "smallint": "40000",
    "below_int": "-2147483649",
    "float": "1e308",
    "far_past": "0001-01-01T00:00",
    "far_future": "9999-12-31T23:59:59",
    "other_digits": "١٢٣٤٥٦",
    "nested": "[" * 300 + "]" * 300,
    "bidi": "\u202eevil\u200b",
}
# What each kind of field receives, one field at a time (the others keep their values): what
# its parsing could choke on. A choice only needs to survive a number no row could have.
BY_KIND: dict[str, tuple[str, ...]] = {
    "number": ("huge", "smallint", "below_int", "float", "other_digits"),
    "date": ("far_past", "far_future", "huge"),
    "choice": ("huge",),
    "text": ("huge", "smallint", "far_past", "other_digits"),
}
# Sent to every field at once: the request guard refuses NUL whatever the field, and
# nesting or direction marks are plain text to every form.
EVERY_FIELD = ("nul", "nested", "bidi")
# Parameters views read without a form (a search, a page number, a filter in a link): all set
# at once on every GET page, one hostile value per request.
QUERY_NAMES = (
    "q",
    "action",
    "page",
    "unit",
    "m",
    "lens",
    "period",
    "status",
    "kind",
    "where",
    "next",
    "verify",
    "check",
    "all",
    "lang",
    "start",
    "end",
    "format",
)
QUERY_VALUES = ("nul", "huge", "smallint", "far_past", "other_digits")
KINDS = {
    "number": "number",
    "date": "date",
    "datetime-local": "date",
    "checkbox": "choice",
    "radio": "choice",
    "select": "choice",
}
# Fields the fuzzing leaves alone: the CSRF token, and the login form's language switch.
SKIPPED = {"csrfmiddlewaretoken"}
# Prefer a role that gets the form (200) to one that is sent on (302), then the most powerful.
PREFERRED = ("admin", "direction", "manager", "anonymous", "employee", "partner")


class _Forms(HTMLParser):
    """Collect the fields of a page's forms: ``[(method, action, {name: value}, files)]``."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str], set[str]]] = []
        self.kinds: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(
                (attr.get("method", "get").lower(), attr.get("action", ""), {}, set())
            )
            return
        if not self.forms or not attr.get("name"):
            if tag == "option" and self._select and "selected" in attr and self.forms:
                self.forms[-1][2][self._select] = attr.get("value", "")
            return
        fields, files, name = self.forms[-1][2], self.forms[-1][3], attr["name"]
        self.kinds[name] = KINDS.get(attr.get("type", "") if tag == "input" else tag, "text")
        if tag == "input":
            kind = attr.get("type", "text")
            if kind == "file":
                files.add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attr or name not in fields:
                    fields[name] = attr.get("value", "on") if "checked" in attr else ""
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = attr.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][2][self._textarea] += data


def _role(line: str | None) -> str | None:
    """Return the role to act as for an answer line: one that gets in, 200 first."""
    if not line:
        return None
    words = dict(zip(WEB_ROLES, line.split(), strict=True))
    for wanted in ("200", "302"):
        for role in PREFERRED:
            if words[role] == wanted:
                return role
    return None


def _forms(client: Client, url: str, method: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return the fields (with their values) of the page's forms for ``method``, and kinds."""
    page = client.get(url)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return {}, {}
    parser = _Forms()
    parser.feed(page.content.decode())
    fields: dict[str, str] = {}
    for form_method, action, found, _uploads in parser.forms:
        if form_method == method and action in ("", url, "."):
            fields.update(found)
    kept = {name: value for name, value in fields.items() if name not in SKIPPED}
    return kept, parser.kinds


def _answer(client: Client, method: str, url: str, data: dict[str, Any]) -> int:
    if method == "get":
        return client.get(url, data).status_code
    return client.post(url, data).status_code


def _requests(
    base: dict[str, str], kinds: dict[str, str], method: str
) -> list[tuple[str, dict[str, str]]]:
    """Return ``(what, data)`` for every hostile request of a form."""
    every = [(f"*={label}", dict.fromkeys(base, HOSTILE[label])) for label in EVERY_FIELD]
    if method == "get":
        every += [
            (f"links={label}", {**base, **dict.fromkeys(QUERY_NAMES, HOSTILE[label])})
            for label in QUERY_VALUES
        ]
    one = [
        (f"{field}={label}", {**base, field: HOSTILE[label]})
        for field in sorted(base)
        for label in BY_KIND[kinds.get(field, "text")]
    ]
    return every + one


def _fuzz(world: World, declared: Page, method: str) -> list[str]:
    role = _role(declared.get if method == "get" else declared.post)
    if role is None:
        return []
    client = client_as(world, role)
    url = page_url(world, declared)
    fields, kinds = _forms(client, url, method)
    factory = declared.query if method == "get" else declared.data
    base = {**fields, **(factory(world) if factory else {})}
    if not base and method == "post":
        return []
    failures = []
    for what, data in _requests(base, kinds, method):
        with rolled_back():
            before = database_print() if what == "*=nul" else None
            status = _answer(client, method, url, data)
            if status >= 500:
                failures.append(f"{what}: {status}")
            if before is not None and status >= 400 and changed_tables(before, database_print()):
                failures.append(f"{what}: refused with {status}, yet the database changed")
    return failures


FORM_PAGES = [declared for declared in WEB if declared.post and _role(declared.post)]
QUERY_PAGES = [declared for declared in WEB if declared.get and _role(declared.get)]


@pytest.mark.parametrize("declared", FORM_PAGES, ids=lambda declared: declared.name)
def test_every_form_field_takes_hostile_values_without_a_server_error(world, declared):
    failures = _fuzz(world, declared, "post")
    assert not failures, f"POST {declared.name}:\n" + "\n".join(failures)


@pytest.mark.parametrize("declared", QUERY_PAGES, ids=lambda declared: declared.name)
def test_every_filter_takes_hostile_values_without_a_server_error(world, declared):
    failures = _fuzz(world, declared, "get")
    assert not failures, f"GET {declared.name}:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "url_name,parameter",
    [("org:unit_detail", "q"), ("audit:list", "action")],
)
def test_a_nul_byte_in_a_search_names_the_parameter_in_a_400_page(world, url_name, parameter):
    declared = next(page for page in WEB if page.name == url_name)
    response = client_as(world, "admin").get(page_url(world, declared), {parameter: "a\x00b"})
    assert response.status_code == 400
    assert f"«\xa0{parameter}\xa0»" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/members"])
def test_a_nul_byte_in_an_api_parameter_answers_the_json_error_shape(world, path):
    response = client_as(world, "token_unit").get(path, {"external_id": "a\x00b"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "validation_error"
    assert [error["field"] for error in body["errors"]] == ["query.external_id"]


@pytest.mark.parametrize(
    "body,field",
    [
        ('{"interactions": ' + "[" * 100 + "]" * 100 + "}", ""),
        ('{"interactions": [], "source": ' + "9" * 5000 + "}", ""),
        ('{"interactions": [], "source": NaN}', ""),
        ('{"interactions": [], "source": "a\\ud800"}', "source"),
        ('{"interactions": [], "a\\u0000": 1}', "a\x00"),
    ],
    ids=["deep", "huge-number", "nan", "lone-surrogate", "nul-key"],
)
def test_an_api_body_no_field_could_take_answers_422_json(world, body, field):
    response = client_as(world, "token_unit").post(
        "/api/v1/interactions", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["field"] == field


# Imports ------------------------------------------------------------------------------------

HOSTILE_CELLS = [HOSTILE["huge"], HOSTILE["far_past"], HOSTILE["far_future"], "١٢٣"]
HOSTILE_BYTES = [
    b"a\x00b",
    b"caf\xed\xa0\x80",  # a lone surrogate, as a careless encoder writes it
]
# What an import could leave behind: counted before and after each refused file.
IMPORTED = (Unit, Member, PartnerOrganisation, Interaction, Invitation, Voice, AuditEntry)


def _rows() -> list[int]:
    return [model.objects.count() for model in IMPORTED]


def _cells(header: list[str], row: list[str]) -> list[bytes]:
    """Return CSV files where each cell in turn holds each hostile value (text or bytes)."""
    files = []
    for index in range(len(row)):
        for value in [*(cell.encode() for cell in HOSTILE_CELLS), *HOSTILE_BYTES]:
            cells = [cell.encode() for cell in row]
            cells[index] = b'"' + value.replace(b'"', b'""') + b'"'
            files.append(",".join(header).encode() + b"\n" + b",".join(cells) + b"\n")
    return files


def test_the_organisation_import_reports_hostile_cells_and_stores_nothing_refused(world):
    client = client_as(world, "admin")
    units = _cells(
        ["external_id", "name", "kind", "parent_external_id"], ["U-H", "H", "team", "U-LILLE"]
    )
    members = _cells(
        ["external_id", "first_name", "last_name", "email", "unit_external_id", "contract_type"],
        ["M-H", "Hé", "Lène", "h@example.com", "U-LILLE", "permanent"],
    )
    for field, content in [
        *(("units_file", f) for f in units),
        *(("members_file", f) for f in members),
    ]:
        with rolled_back():
            before = _rows()
            upload = SimpleUploadedFile("file.csv", content, "text/csv")
            page = client.post(reverse("org:import"), {field: upload})
            assert page.status_code == 200, content
            if page.context["report"].errors:
                assert _rows() == before, content


HOSTILE_CATALOGS = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"format": ' + b"9" * 5000 + b"}",
    b'{"format": NaN}',
    b"\xff\xfe{}",
    json.dumps({"format": "miroir-instrument", "title": {"fr": "a\x00b"}}).encode(),
    b'{"format": "miroir-instrument", "title": {"fr": "a\\ud800b", "en": "x"}}',
    b'{"format": "miroir-instrument", "items": [{"max_length": ' + b"9" * 400 + b"}]}",
]


@pytest.mark.parametrize("content", HOSTILE_CATALOGS, ids=range(len(HOSTILE_CATALOGS)))
def test_the_questionnaire_import_names_what_is_wrong_and_stores_nothing(world, content):
    client = client_as(world, "admin")
    before = database_print()
    upload = SimpleUploadedFile("catalog.json", content, "application/json")
    page = client.post(reverse("instruments:import"), {"file": upload})
    assert page.status_code == 200
    assert page.context["problems"], "the page names no problem"
    assert not changed_tables(before, database_print())


def test_the_command_imports_refuse_hostile_cells_and_store_nothing(world, tmp_path):
    interactions = _cells(
        ["external_id", "unit", "occurred_at", "consent"],
        ["i-1", "U-LILLE", "2026-01-05T10:00:00+01:00", "oui"],
    )
    complaints = _cells(
        ["external_id", "unit", "text", "received_at"], ["c-1", "U-LILLE", "Attente", ""]
    )
    path = tmp_path / "file.csv"
    with translation.override("en"):
        for command, files in (
            ("interactions_import", interactions),
            ("voices_import", complaints),
        ):
            for content in files:
                path.write_bytes(content)
                with rolled_back():
                    before = _rows()
                    try:
                        call_command(command, str(path), stdout=StringIO(), stderr=StringIO())
                    except CommandError:
                        assert _rows() == before, (command, content)
