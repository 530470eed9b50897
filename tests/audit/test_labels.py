"""The audit log reads as sentences: every action, target and detail has its words."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from miroir.audit.labels import ACTIONS, action_label, details_text, target_label
from miroir.audit.services import audit_record

SOURCE = Path(__file__).resolve().parents[2] / "src" / "miroir"
RECORDED = [
    re.compile(r'action="([^"]+)"(?: if [^\n]+ else "([^"]+)")?'),
    re.compile(r'_audit\(\s*\w+,\s*"([^"]+)"'),
]


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "audit_record" not in text and "_audit(" not in text:
            continue
        for pattern in RECORDED:
            for match in pattern.finditer(text):
                found.update(group for group in match.groups() if group)
    # argparse's action="store_true" in management commands is no audit action.
    return {action for action in found if "." in action or action == "login"}


def test_every_action_recorded_in_the_code_has_a_label():
    recorded = _recorded_actions()
    assert len(recorded) > 40
    assert recorded - ACTIONS.keys() == set()


def test_codes_and_dicts_become_french_words():
    with translation.override("fr"):
        assert action_label("wave.launch") == "Vague lancée"
        assert target_label("wave:12") == "Vague nº 12"
        text = details_text({"sent": 1200, "failed": 0, "fields": ["name", "units"], "x": None})
    assert "{" not in text and "[" not in text and "'" not in text
    assert text == (
        "envoyées\u00a0: 1\u00a0200\u202f; échecs\u00a0: 0\u202f; "
        "champs\u00a0: name, units\u202f; x\u00a0: —"
    )


def test_an_unknown_code_is_shown_as_it_is():
    assert action_label("someday.new") == "someday.new"
    assert target_label("thing:3") == "thing:3"


def test_the_audit_page_shows_labels_not_codes(client, personas):
    audit_record(actor=personas.admin, action="wave.remind", target="wave:7", details={"sent": 3})
    client.force_login(personas.admin)
    html = client.get(reverse("audit:list"), headers={"accept-language": "fr"}).content.decode()
    assert "Relances envoyées" in html and "Vague nº 7" in html
    assert "{&#x27;sent" not in html and "{'sent" not in html


def test_employees_do_not_read_the_audit_log(client, personas):
    client.force_login(personas.employee)
    assert client.get(reverse("audit:list")).status_code == 403
