"""An administrator answers a person's access request, then their erasure request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from miroir.org.models import Member
from tests.browser.accounts_support import browser_log_in
from tests.browser.navigation import menu_go
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_exports_then_erases_a_member_s_data(live_server, page):
    personas = build_personas()
    # Administrators log in with their second factor.
    browser_log_in(page, live_server.url, personas.admin)
    menu_go(page, "Données personnelles")

    page.get_by_label("Adresse e-mail").fill("emile@example.com")
    page.get_by_role("button", name="Rechercher").click()
    records = page.get_by_test_id("privacy-records")
    assert "Émile Vendeur" in records.inner_text()
    assert "anonymes" in records.inner_text()

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger en JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["members"][0]["profile"]["last_name"] == "Vendeur"

    # Without the confirmation, the browser does not even send the form.
    confirm = page.get_by_label("Je confirme l'effacement")
    assert confirm.get_attribute("required") is not None
    page.get_by_role("button", name="Effacer les données de cette personne").click()
    assert Member.objects.get(pk=personas.employee_member.pk).email == "emile@example.com"

    confirm.check()
    page.get_by_role("button", name="Effacer les données de cette personne").click()
    assert "Effacement fait. Invitations\u00a0: 0" in page.get_by_role("status").inner_text()
    assert Member.objects.get(pk=personas.employee_member.pk).email is None
