"""The personal data page: administrators only; addresses travel in POST bodies."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.collect.models import ContactOptOut, Invitation, Response
from tests.personas import PASSWORD
from tests.privacy.support import EMAIL, customer_answers

SEARCH = reverse("privacy:search")
EXPORT = reverse("privacy:export")
ERASE = reverse("privacy:erase")


@pytest.fixture
def answered(hot_wave):
    return customer_answers(hot_wave, now=timezone.now())


@pytest.fixture
def admin_client(client, personas):
    assert client.login(email="ada@example.com", password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "login",
    [
        "diane@example.com",  # direction
        "regis@example.com",  # manager of the region
        "sophie@example.com",  # manager of the shop
        "emile@example.com",  # employee
        "paul@cleanco.example",  # partner
        "olivier@example.com",  # a login of no member
    ],
)
@pytest.mark.parametrize(
    ("method", "url"), [("get", SEARCH), ("post", SEARCH), ("post", EXPORT), ("post", ERASE)]
)
def test_only_administrators_reach_the_page(client, answered, login, method, url):
    assert client.login(email=login, password=PASSWORD)
    data = {"email": EMAIL, "confirm": "on"}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == 403
    assert Invitation.objects.get().email == EMAIL
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_navigation_offers_the_page_to_administrators_only(client, personas):
    client.login(email="ada@example.com", password=PASSWORD)
    assert SEARCH in client.get("/").content.decode()
    client.login(email="diane@example.com", password=PASSWORD)
    assert SEARCH not in client.get("/").content.decode()


def test_a_search_shows_what_is_held_and_is_audited(admin_client, answered):
    response = admin_client.post(SEARCH, {"email": EMAIL})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Après passage en caisse" in page
    assert 'data-testid="privacy-erase"' in page
    [entry] = AuditEntry.objects.filter(action="privacy.view")
    assert EMAIL not in entry.target


def test_a_search_for_a_member_says_answers_are_anonymous(admin_client, personas):
    page = admin_client.post(SEARCH, {"email": "emile@example.com"}).content.decode()
    assert "Émile Vendeur" in page
    assert "anonym" in page.lower()


def test_a_bad_address_is_named_and_nothing_is_audited(admin_client, personas):
    response = admin_client.post(SEARCH, {"phone": "12"})
    assert response.status_code == 400
    assert "phone number" in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


def test_the_export_is_a_json_download(admin_client, answered):
    response = admin_client.post(EXPORT, {"email": EMAIL})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["customer"]["invitations"][0]["email"] == EMAIL
    assert AuditEntry.objects.filter(action="privacy.export").count() == 1


def test_the_export_takes_only_post(admin_client, answered):
    # A GET would put the address in the URL, and so in every access log.
    assert admin_client.get(EXPORT, {"email": EMAIL}).status_code == 405


def test_an_erasure_without_confirmation_changes_nothing(admin_client, answered):
    response = admin_client.post(ERASE, {"email": EMAIL, "opt_out": "on"})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert Invitation.objects.get().email == EMAIL
    assert not ContactOptOut.objects.exists()


def test_a_confirmed_erasure_erases_and_says_so(admin_client, answered):
    response = admin_client.post(
        ERASE, {"email": EMAIL, "confirm": "on", "opt_out": "on"}, follow=True
    )
    assert response.status_code == 200
    assert "Erased. Invitations: 1;" in response.content.decode()
    assert Invitation.objects.get().email is None
    assert Response.objects.get().invitation_id is None
    assert ContactOptOut.objects.count() == 1
    entry = AuditEntry.objects.get(action="privacy.erase")
    assert entry.actor_label == "ada@example.com"
    assert EMAIL not in json.dumps([entry.target, entry.details])


def test_the_forms_carry_a_csrf_token(admin_client, answered):
    admin_client.handler.enforce_csrf_checks = True
    assert admin_client.post(ERASE, {"email": EMAIL, "confirm": "on"}).status_code == 403
    assert Invitation.objects.get().email == EMAIL


def test_an_administrator_s_own_erasure_is_refused_with_a_reason(admin_client):
    response = admin_client.post(ERASE, {"email": "ada@example.com", "confirm": "on"})
    assert response.status_code == 400
    assert "another administrator" in response.content.decode()
    assert admin_client.get(SEARCH).status_code == 200  # still logged in
