"""The waves API: counts in the caller's scope, small counts hidden, stable error codes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from miroir.collect.models import Response
from tests.collect.support import add_employees, submit, token_for
from tests.personas import PASSWORD


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_a_page_of_waves_says_how_many_there_are_in_all(client, personas, make_wave):
    for number in range(3):
        make_wave(name=f"Pulse {number}")
    _login(client, personas.direction)
    first = client.get("/api/v1/waves/", {"limit": 2})
    assert [wave["name"] for wave in first.json()] == ["Pulse 2", "Pulse 1"]
    assert first["X-Total-Count"] == "3"
    rest = client.get("/api/v1/waves/", {"limit": 2, "offset": 2})
    assert [wave["name"] for wave in rest.json()] == ["Pulse 0"]
    assert client.get("/api/v1/waves/", {"limit": 0}).status_code == 422


def test_the_list_gives_waves_in_scope_with_their_totals(client, personas, make_wave, launch):
    # Six answers: the sibling manager works at Arras, so five would be hidden from them.
    members = add_employees(personas.arras, 6, prefix="Arras")
    wave = launch(make_wave(channels=["link"], units=[personas.nord]))
    launch(make_wave(name="Sud", units=[personas.sud]))
    for member in members:
        submit(token_for(wave, member))
    Response.objects.update(submitted_on=timezone.localdate() - timedelta(days=1))
    _login(client, personas.sibling_manager)
    response = client.get("/api/v1/waves/")
    assert response.status_code == 200
    (item,) = response.json()
    assert item["id"] == wave.pk
    assert item["public_id"] == str(wave.public_id)
    # Arras's invitations (7) would uncover the region's own one (Régis) from Nord's:
    # they are hidden, and so is the rate made of them.
    assert item["total"] == {
        "invited": None,
        "invited_suppressed": True,
        "responses": 6,
        "suppressed": False,
        "response_rate": None,
    }


def test_the_detail_hides_small_counts(client, personas, make_wave, launch):
    members = add_employees(personas.lille_vente, 2, prefix="Vendeur")
    wave = launch(make_wave(channels=["link"], units=[personas.lille]))
    for member in members:
        submit(token_for(wave, member))
    Response.objects.update(submitted_on=timezone.localdate() - timedelta(days=1))
    _login(client, personas.region_manager)
    body = client.get(f"/api/v1/waves/{wave.pk}").json()
    assert body["total"]["responses"] is None and body["total"]["suppressed"] is True
    assert body["counts_as_of"] == str(timezone.localdate() - timedelta(days=1))
    units = {unit["name"]: unit for unit in body["units"]}
    assert units["Lille Vente"] == {
        "unit_id": personas.lille_vente.pk,
        "name": "Lille Vente",
        "depth": 1,
        "invited": None,
        "invited_suppressed": True,
        "responses": None,
        "suppressed": True,
        "response_rate": None,
    }


def test_outside_the_scope_is_404_and_without_a_role_403(client, personas, make_wave, launch):
    wave = launch(make_wave(units=[personas.sud]))
    _login(client, personas.shop_manager)
    response = client.get(f"/api/v1/waves/{wave.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "waves.not_found"
    _login(client, personas.employee)
    for url in ("/api/v1/waves/", f"/api/v1/waves/{wave.pk}"):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["code"] == "waves.forbidden"


def test_an_integration_token_sees_the_waves_of_its_subtree(client, personas, make_wave, launch):
    from miroir.api.services import api_token_create

    nord = launch(make_wave(units=[personas.nord]))
    launch(make_wave(name="Sud", units=[personas.sud]))
    secret = api_token_create(name="arras", scope_unit=personas.arras, actor=personas.admin)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    listed = client.get("/api/v1/waves/", **auth)
    assert [wave["id"] for wave in listed.json()] == [nord.pk]
    detail = client.get(f"/api/v1/waves/{nord.pk}", **auth).json()
    assert [unit["name"] for unit in detail["units"]] == ["Arras"]
    assert client.get("/api/v1/waves/", HTTP_AUTHORIZATION="Bearer mir_forged").status_code == 401
    assert client.get("/api/v1/waves/").status_code == 401
