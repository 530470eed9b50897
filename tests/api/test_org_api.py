from __future__ import annotations

from miroir.api.services import api_token_create
from miroir.org.models import ContractType, Member, RoleKind
from miroir.org.services import role_grant

NORD_UNITS = {"Nord", "Lille", "Lille Vente", "Lille Caisse", "Arras"}
NORD_MEMBERS = {"Régis", "Sophie", "Simon", "Émile", "Paul"}


def _get(client, path, secret, **params):
    return client.get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _nord_token(personas):
    return api_token_create(name="nord", scope_unit=personas.nord, actor=personas.admin)[1]


def _network_token(personas):
    return api_token_create(name="all", scope_unit=None, actor=personas.admin)[1]


def test_a_token_scoped_to_a_region_lists_only_its_units(client, personas):
    body = _get(client, "/units", _nord_token(personas)).json()
    assert {unit["name"] for unit in body["items"]} == NORD_UNITS
    assert body["count"] == 5


def test_a_token_scoped_to_a_region_lists_only_its_members(client, personas):
    body = _get(client, "/members", _nord_token(personas)).json()
    assert {member["first_name"] for member in body["items"]} == NORD_MEMBERS
    assert body["count"] == 5


def test_a_token_scoped_to_a_region_gets_404_outside_it(client, personas):
    secret = _nord_token(personas)
    for path in (
        f"/units/{personas.sud.pk}",
        f"/units/{personas.marseille.pk}",
        f"/units/{personas.company.pk}",
        f"/units/{personas.sud.pk}/children",
        f"/units/{personas.sud.pk}/members",
        f"/members/{personas.marius.pk}",
    ):
        response = _get(client, path, secret)
        assert response.status_code == 404, path
        assert response.json() == {"code": "not_found", "message": "Introuvable."}


def test_outside_the_scope_and_nonexistent_answer_alike(client, personas):
    secret = _nord_token(personas)
    outside = _get(client, f"/units/{personas.marseille.pk}", secret)
    missing = _get(client, "/units/999999", secret)
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_a_token_scoped_to_a_region_reads_inside_it(client, personas):
    secret = _nord_token(personas)
    lille = _get(client, f"/units/{personas.lille.pk}", secret).json()
    assert lille == {
        "id": personas.lille.pk,
        "external_id": "U-LILLE",
        "name": "Lille",
        "kind": "shop",
        "parent_id": personas.nord.pk,
        "depth": personas.lille.depth,
        "timezone": "Europe/Paris",
        "is_active": True,
    }
    emile = _get(client, f"/members/{personas.employee_member.pk}", secret).json()
    assert emile["unit_id"] == personas.lille_vente.pk
    assert emile["job_title"] == "Vendeur"
    assert emile["email"] == "emile@example.com"


def test_a_whole_network_token_sees_every_unit_and_member(client, personas):
    secret = _network_token(personas)
    assert _get(client, "/units", secret).json()["count"] == 8
    assert _get(client, "/members", secret).json()["count"] == 9
    assert _get(client, f"/members/{personas.marius.pk}", secret).status_code == 200


def test_members_carry_contract_partner_and_roles(client, personas):
    secret = _nord_token(personas)
    member = _get(client, f"/members/{personas.partner_member.pk}", secret).json()
    assert member["contract_type"] == "partner"
    assert member["lens"] == "partner"
    assert member["partner_organisation"] == {"name": "CleanCo", "kind": "contractor"}
    assert member["proximity"] == "regular"
    assert member["roles"] == []
    sophie = _get(client, "/members", secret, external_id="M-sophie").json()["items"][0]
    assert sophie["roles"] == [{"kind": "manager", "unit_id": personas.lille.pk}]
    assert sophie["partner_organisation"] is None


def test_pagination_gives_the_total_and_the_requested_slice(client, personas):
    secret = _network_token(personas)
    everything = [u["id"] for u in _get(client, "/units", secret).json()["items"]]
    page = _get(client, "/units", secret, limit=2, offset=2).json()
    assert page["count"] == 8
    assert [u["id"] for u in page["items"]] == everything[2:4]
    beyond = _get(client, "/units", secret, limit=5, offset=8).json()
    assert beyond == {"items": [], "count": 8}


def test_unit_filters(client, personas):
    secret = _network_token(personas)
    shops = _get(client, "/units", secret, kind="shop").json()
    assert {u["name"] for u in shops["items"]} == {"Lille", "Arras", "Marseille"}
    under_nord = _get(client, "/units", secret, parent=personas.nord.pk).json()
    assert {u["name"] for u in under_nord["items"]} == {"Lille", "Arras"}
    by_external_id = _get(client, "/units", secret, external_id="U-MARS").json()
    assert [u["id"] for u in by_external_id["items"]] == [personas.marseille.pk]


def test_a_filter_cannot_reach_outside_the_scope(client, personas):
    secret = _nord_token(personas)
    assert _get(client, "/units", secret, parent=personas.sud.pk).json()["count"] == 0
    assert _get(client, "/units", secret, external_id="U-MARS").json()["count"] == 0
    assert _get(client, "/members", secret, unit=personas.marseille.pk).json()["count"] == 0


def test_children_and_unit_members(client, personas):
    secret = _network_token(personas)
    children = _get(client, f"/units/{personas.lille.pk}/children", secret).json()
    assert [u["name"] for u in children["items"]] == ["Lille Caisse", "Lille Vente"]
    direct = _get(client, f"/units/{personas.lille.pk}/members", secret).json()
    assert {m["first_name"] for m in direct["items"]} == {"Sophie", "Paul"}
    subtree = _get(client, f"/units/{personas.lille.pk}/members", secret, subtree="true").json()
    assert {m["first_name"] for m in subtree["items"]} == {"Sophie", "Paul", "Émile"}
    assert subtree["count"] == 3


def test_member_filters(client, personas):
    secret = _network_token(personas)
    fixed = _get(client, "/members", secret, contract_type="fixed_term").json()
    assert [m["last_name"] for m in fixed["items"]] == ["Sud"]
    in_lille = _get(client, "/members", secret, unit=personas.lille.pk).json()
    assert {m["first_name"] for m in in_lille["items"]} == {"Sophie", "Paul"}
    Member.objects.filter(pk=personas.marius.pk).update(is_active=False)
    inactive = _get(client, "/members", secret, active="false").json()
    assert [m["id"] for m in inactive["items"]] == [personas.marius.pk]
    assert _get(client, "/members", secret, active="true").json()["count"] == 8


def test_an_invalid_parameter_is_422_with_the_stable_shape(client, personas):
    secret = _nord_token(personas)
    for params in ({"kind": "castle"}, {"limit": 0}, {"offset": -1}, {"parent": "x"}):
        response = _get(client, "/units", secret, **params)
        assert response.status_code == 422, params
        body = response.json()
        assert body["code"] == "validation_error"
        assert body["message"] and body["errors"]


def test_manager_of_another_region_gets_404_on_lille(client, personas):
    client.force_login(personas.other_region_manager)
    response = client.get(f"/api/v1/units/{personas.lille.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    names = {u["name"] for u in client.get("/api/v1/units").json()["items"]}
    assert names == {"Sud", "Marseille"}


def test_employees_and_partners_see_nothing_through_the_api(client, personas):
    for persona, own in (
        (personas.employee, personas.employee_member),
        (personas.partner, personas.partner_member),
    ):
        client.force_login(persona)
        assert client.get("/api/v1/units").json() == {"items": [], "count": 0}
        assert client.get("/api/v1/members").json()["count"] == 0
        assert client.get(f"/api/v1/members/{own.pk}").status_code == 404
        assert client.get(f"/api/v1/units/{own.unit_id}").status_code == 404


def test_member_list_does_not_grow_queries_with_members(
    client, personas, django_assert_max_num_queries
):
    for number in range(30):
        member = Member.objects.create(
            first_name=f"Extra{number}",
            last_name="Staff",
            unit=personas.arras,
            contract_type=ContractType.PERMANENT,
        )
        role_grant(member=member, kind=RoleKind.MANAGER, unit=personas.arras)
    secret = _network_token(personas)
    # Token look-up, last-used update, count, page, roles: a handful, not one per member.
    with django_assert_max_num_queries(8):
        body = _get(client, "/members", secret, limit=100).json()
    assert body["count"] == 39
    assert all(m["roles"] for m in body["items"] if m["first_name"].startswith("Extra"))


def test_unit_member_list_does_not_grow_queries_with_members(
    client, personas, django_assert_max_num_queries
):
    for number in range(30):
        Member.objects.create(
            first_name=f"Extra{number}",
            last_name="Staff",
            unit=personas.lille_caisse,
            contract_type=ContractType.PERMANENT,
        )
    secret = _network_token(personas)
    with django_assert_max_num_queries(9):
        body = _get(
            client, f"/units/{personas.lille.pk}/members", secret, subtree="true", limit=100
        ).json()
    assert body["count"] == 33
