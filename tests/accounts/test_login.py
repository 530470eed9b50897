from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core import mail
from django.urls import reverse

from miroir.accounts.models import User
from tests.personas import PASSWORD


def test_staff_log_in_with_their_email_in_any_case(client, personas):
    response = client.post(
        reverse("accounts:login"), {"username": "Sophie@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == personas.shop_manager


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, personas):
    response = client.post(
        reverse("accounts:login"), {"username": "sophie@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["form"].non_field_errors()


def test_a_member_with_a_login_but_no_password_sets_it_by_email(client, personas):
    user = personas.marius  # Marius has no e-mail: no login at all
    assert user.user is None
    emile = User.objects.get(email="emile@example.com")
    emile.set_unusable_password()
    emile.save()
    response = client.post(reverse("accounts:password_reset"), {"email": "emile@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives, "the e-mail has an HTML part too"


def test_navigation_depends_on_the_role(client, personas):
    client.force_login(personas.employee)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("org:unit_tree") not in html
    assert reverse("org:import") not in html
    client.force_login(personas.region_manager)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("org:unit_tree") in html
    assert reverse("org:import") not in html
    client.force_login(personas.admin)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("org:unit_tree") in html and reverse("org:import") in html


def test_logout_is_a_post_and_ends_the_session(client, personas):
    client.force_login(personas.direction)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_french_is_the_default_and_english_is_one_click_away(client, personas):
    client.force_login(personas.direction)
    french = client.get(reverse("core:home"))
    assert 'lang="fr"' in french.content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    english = client.get(reverse("core:home"))
    assert 'lang="en"' in english.content.decode()
    assert "Log out" in english.content.decode()


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "40000"])
def test_a_page_asked_for_that_is_not_one_of_ours_leads_home(client, personas, elsewhere):
    response = client.post(
        reverse("accounts:login") + "?" + urlencode({"next": elsewhere}),
        {"username": personas.employee.email, "password": PASSWORD},
    )
    assert response.status_code == 302 and response.url == reverse("core:home")
