from __future__ import annotations

from django.urls import reverse
from ninja.testing import TestClient

from miroir.journeys.api import map_router
from miroir.journeys.models import MapPublication, MapResponse, PainPoint
from miroir.journeys.services import map_submit, map_wave_close
from miroir.org.selectors import scope_for_unit
from tests.journeys.conftest import staff
from tests.personas import PASSWORD

api = TestClient(map_router)


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def _post_map(client, wave, **ratings):
    data = {}
    for code, (satisfaction, truth) in ratings.items():
        data[f"{code}-satisfaction"] = str(satisfaction)
        data[f"{code}-truth"] = truth
    return client.post(reverse("maps:respond", args=[wave.public_id]), data)


def test_the_manager_is_told_before_answering_that_the_estimate_is_theirs(client, personas,
                                                                          open_map):  # fmt: skip
    _login(client, personas.shop_manager)
    page = client.get(reverse("maps:respond", args=[open_map.public_id]))
    assert page.status_code == 200
    assert "stored with your name" in page.content.decode() or "avec votre nom" in (
        page.content.decode()
    )
    assert _post_map(client, open_map, checkout=(4, "no")).status_code == 302
    assert MapResponse.objects.get(lens="management").manager.user == personas.shop_manager


def test_an_employee_answers_on_the_phone_form_and_cannot_answer_twice(client, personas,
                                                                       open_map):  # fmt: skip
    _login(client, personas.employee)
    page = client.get(reverse("maps:respond", args=[open_map.public_id]))
    assert 'data-testid="moment-checkout"' in page.content.decode()
    assert _post_map(client, open_map, checkout=(2, "yes"), arrival=(4, "no")).status_code == 302
    assert MapResponse.objects.filter(lens="employee", manager__isnull=True).count() == 1
    again = client.get(reverse("maps:respond", args=[open_map.public_id]))
    assert again.status_code == 404


def test_a_bad_rating_is_shown_and_nothing_is_stored(client, personas, open_map):
    _login(client, personas.employee)
    response = _post_map(client, open_map, checkout=(7, "yes"))
    assert response.status_code == 200
    assert "checkout" in response.content.decode()
    assert not MapResponse.objects.exists()


def _closed(personas, wave):
    for index, user in enumerate(staff(personas.lille, 5)):
        map_submit(wave=wave, user=user, answers={"checkout": {
            "satisfaction": 2 + index % 2, "moment_of_truth": True}})  # fmt: skip
    map_submit(wave=wave, user=personas.shop_manager, answers={"checkout": {
        "satisfaction": 4, "moment_of_truth": False}})  # fmt: skip
    map_wave_close(wave=wave, actor=personas.direction)


def test_the_manager_reads_the_map_with_charts_and_marks_a_pain_point(client, personas,
                                                                      open_map):  # fmt: skip
    _closed(personas, open_map)
    _login(client, personas.shop_manager)
    url = reverse("maps:unit", args=[open_map.pk, personas.lille.pk])
    page = client.get(url).content.decode()
    assert "<svg" in page and 'data-testid="map-moment-checkout"' in page
    client.post(reverse("maps:pain_point", args=[open_map.pk, personas.lille.pk, "checkout"]))
    assert PainPoint.objects.filter(unit=personas.lille, moment__code="checkout").exists()


def test_members_read_the_published_maps_and_a_sibling_manager_does_not(client, personas,
                                                                        open_map):  # fmt: skip
    _closed(personas, open_map)
    publication = MapPublication.objects.get(wave=open_map, unit=personas.lille)
    _login(client, personas.employee)
    assert client.get(reverse("maps:mine")).content.decode().count(
        reverse("maps:published", args=[publication.pk])
    ) == 1  # fmt: skip
    assert client.get(reverse("maps:published", args=[publication.pk])).status_code == 200
    client.logout()
    _login(client, personas.sibling_manager)
    assert client.get(reverse("maps:published", args=[publication.pk])).status_code == 404
    assert (
        client.get(reverse("maps:unit", args=[open_map.pk, personas.lille.pk])).status_code == 404
    )


def test_a_withdrawal_without_a_reason_changes_nothing(client, personas, open_map):
    _closed(personas, open_map)
    publication = MapPublication.objects.get(wave=open_map, unit=personas.lille)
    _login(client, personas.shop_manager)
    client.post(reverse("maps:withdraw", args=[publication.pk]), {"reason": ""})
    assert MapPublication.objects.get(pk=publication.pk).status == "published"


def test_the_api_gives_the_map_with_the_attributed_estimate(personas, open_map):
    _closed(personas, open_map)
    response = api.get(
        f"/units/{personas.lille.pk}/map?journey=shop", auth=scope_for_unit(personas.lille)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["lenses"]["management"]["attributed"]
    checkout = next(row for row in body["moments"] if row["code"] == "checkout")
    assert checkout["management"]["satisfaction"] == 4 and checkout["employee"]["n"] == 5


def test_the_api_refuses_a_unit_outside_the_token_and_a_bad_period(personas, open_map):
    _closed(personas, open_map)
    outside = api.get(
        f"/units/{personas.lille.pk}/map?journey=shop", auth=scope_for_unit(personas.sud)
    )
    assert outside.status_code == 404
    scope = scope_for_unit(personas.lille)
    bad = api.get(f"/units/{personas.lille.pk}/map?journey=shop&period=1999", auth=scope)
    assert bad.status_code == 422 and bad.json()["code"] == "results.bad_period"
    none = api.get(f"/units/{personas.lille.pk}/map?journey=shop&period=2021", auth=scope)
    assert none.status_code == 404 and none.json()["code"] == "results.not_found"
