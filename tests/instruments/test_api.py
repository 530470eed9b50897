from __future__ import annotations

from ninja.testing import TestClient

from miroir.instruments.api import router
from miroir.instruments.catalogs import catalog_load
from miroir.org.selectors import NO_SCOPE, scope_for_unit

client = TestClient(router)


def test_a_manager_lists_the_questionnaires(personas):
    catalog_load(name="barometre-service", actor=None)
    response = client.get("/", user=personas.shop_manager)
    assert response.status_code == 200
    [summary] = response.json()
    assert summary["slug"] == "barometre-service"
    assert (summary["item_count"], summary["mirror_count"], summary["locked"]) == (26, 13, False)


def test_the_detail_gives_mirrors_and_items_with_their_codes(personas):
    instrument = catalog_load(name="proximite-manager", actor=None)
    response = client.get(f"/{instrument.pk}", user=personas.direction)
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "proximite-manager"
    assert len(body["mirrors"]) == instrument.mirrors.count()
    pace = next(item for item in body["items"] if item["code"] == "rythme-employee")
    assert pace["mirror"] == "rythme" and pace["scale"] == "single_choice"
    assert pace["options"][0] == {"code": "weekly", "fr": "Au moins une fois par semaine",
                                  "en": "At least once a week"}  # fmt: skip
    assert [item["order"] for item in body["items"]] == sorted(i["order"] for i in body["items"])


def test_an_integration_token_scope_reads_the_questionnaires(personas):
    instrument = catalog_load(name="engagement", actor=None)
    response = client.get(f"/{instrument.pk}", auth=scope_for_unit(personas.lille))
    assert response.status_code == 200
    assert response.json()["items"][0]["code"] == "recommandation-customer"


def test_an_employee_gets_a_stable_forbidden_code(personas):
    instrument = catalog_load(name="engagement", actor=None)
    for path in ("/", f"/{instrument.pk}"):
        response = client.get(path, user=personas.employee)
        assert response.status_code == 403
        assert response.json()["code"] == "instruments.forbidden"
        assert "recommandation" not in response.content.decode()


def test_anonymous_callers_are_refused(personas):
    response = client.get("/", auth=NO_SCOPE)
    assert response.status_code == 403
    assert client.get("/").status_code == 403


def test_a_missing_questionnaire_is_404_with_its_code(personas):
    response = client.get("/999999", user=personas.admin)
    assert response.status_code == 404
    assert response.json()["code"] == "instruments.not_found"


def test_the_router_documents_its_endpoints_in_openapi():
    from ninja import NinjaAPI

    api = NinjaAPI(urls_namespace="instruments-openapi-test")
    api.add_router("/instruments", router)
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert {"/api/instruments/", "/api/instruments/{instrument_id}"} <= set(schema["paths"])
    assert 403 in schema["paths"]["/api/instruments/"]["get"]["responses"]
