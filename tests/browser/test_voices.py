"""An employee sends an anonymous suggestion from a phone and follows it with its claim code."""

from __future__ import annotations

import pytest

from miroir.voices.models import Voice
from miroir.voices.services import voice_answer
from tests.browser.phone_checks import phone_problems
from tests.personas import PASSWORD, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_sends_an_anonymous_suggestion_on_a_phone_and_reads_the_answer(live_server, page):
    personas = build_personas()
    assert page.viewport_size["width"] <= 400
    # Sending runs the redaction inline, whose first run loads its language models.
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/voices/new/")
    page.get_by_label("Adresse e-mail").fill(personas.employee.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Suggestion").check()
    page.get_by_label("Vos mots").fill("Installer un tabouret derrière chaque caisse.")
    page.get_by_label("L'envoyer anonymement").check()
    # The form fits the phone's width: nothing to scroll sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    page.get_by_role("button", name="Envoyer").click()
    code = page.get_by_test_id("claim-code").inner_text().strip()
    # The code is copied by hand: on one line, legible, nothing to scroll sideways.
    assert phone_problems(page) == []
    voice = Voice.objects.get()
    assert voice.author is None and code not in (voice.claim_digest or "")

    # The manager answers; the author, with nothing but the code, reads it.
    voice_answer(
        voice=voice, actor=personas.shop_manager, outcome="adopted", text="Commandés ce mois-ci."
    )
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(f"{live_server.url}/voices/follow/")
    page.get_by_label("Votre code de suivi").fill(code.lower())
    page.get_by_role("button", name="Afficher ma remontée").click()
    assert "Installer un tabouret" in page.get_by_test_id("voice-text").inner_text()
    assert "Commandés ce mois-ci." in page.get_by_test_id("voice-answer").inner_text()
    assert page.get_by_test_id("voice-status").inner_text() == "Répondue"
