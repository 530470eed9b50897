from __future__ import annotations

import pytest
from django.urls import reverse

from tests.personas import PASSWORD


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_anonymous_is_sent_to_login(client, personas):
    response = client.get(reverse("org:unit_detail", args=[personas.lille.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_region_manager_browses_down_to_a_team(client, personas):
    _login(client, personas.region_manager)
    tree = client.get(reverse("org:unit_tree"))
    assert tree.status_code == 200
    assert b"Nord" in tree.content and b"Sud" not in tree.content
    shop = client.get(reverse("org:unit_detail", args=[personas.lille.pk]))
    assert shop.status_code == 200
    html = shop.content.decode()
    assert "Lille Vente" in html and "Lille Caisse" in html
    assert "Paul Partenaire" in html and "CleanCo" in html


def test_members_of_a_unit_are_listed_with_their_roles(client, personas):
    _login(client, personas.direction)
    html = client.get(reverse("org:unit_detail", args=[personas.lille.pk])).content.decode()
    assert "Sophie Lille" in html
    assert "Manager" in html or "Responsable" in html


def test_manager_of_another_region_gets_404(client, personas):
    _login(client, personas.other_region_manager)
    response = client.get(reverse("org:unit_detail", args=[personas.lille.pk]))
    assert response.status_code == 404
    assert b"Sophie" not in response.content


def test_sibling_shop_manager_gets_404_on_the_next_shop(client, personas):
    _login(client, personas.sibling_manager)
    assert client.get(reverse("org:unit_detail", args=[personas.lille.pk])).status_code == 404
    assert client.get(reverse("org:unit_detail", args=[personas.arras.pk])).status_code == 200


def test_shop_manager_does_not_see_the_region_above_in_the_breadcrumb(client, personas):
    _login(client, personas.shop_manager)
    html = client.get(reverse("org:unit_detail", args=[personas.lille_vente.pk])).content.decode()
    assert "Lille" in html
    assert reverse("org:unit_detail", args=[personas.nord.pk]) not in html


@pytest.mark.parametrize("persona", ["employee", "partner", "outsider"])
def test_people_without_a_management_role_cannot_browse_the_tree(client, personas, persona):
    _login(client, getattr(personas, persona))
    assert client.get(reverse("org:unit_tree")).status_code == 403
    assert client.get(reverse("org:unit_detail", args=[personas.lille.pk])).status_code == 404


def test_member_search_filters_by_name(client, personas):
    _login(client, personas.direction)
    url = reverse("org:unit_detail", args=[personas.lille.pk])
    html = client.get(url, {"q": "paul"}).content.decode()
    assert "Paul Partenaire" in html and "Sophie Lille" not in html


def test_unit_names_are_rendered_escaped(client, personas):
    personas.arras.name = '<script>alert("x")</script>'
    personas.arras.save(update_fields=["name"])
    _login(client, personas.region_manager)
    html = client.get(reverse("org:unit_detail", args=[personas.nord.pk])).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_out_of_scope_page_is_a_styled_404_without_data(client, personas):
    _login(client, personas.other_region_manager)
    response = client.get(reverse("org:unit_detail", args=[personas.lille.pk]))
    assert response.status_code == 404
    assert "miroir.css" in response.content.decode()
    assert "Lille" not in response.content.decode()
