"""Logins of members who sign in by phone, for administrators: the Logins page and the CLI
find them by their mobile number, and what is done to them is audited."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from miroir.accounts.models import User
from miroir.audit.models import AuditEntry
from tests.accounts.support import phone_member


@pytest.fixture
def fatou(personas) -> User:
    member = phone_member(personas.lille_vente)
    assert member.user.email is None and member.user.phone == "+33612345678"
    return member.user


def test_the_cli_disables_and_enables_a_phone_login_by_its_number(fatou, capsys):
    call_command("account_disable", "06 12 34 56 78")
    assert capsys.readouterr().out.strip() == (
        "Le compte de +33612345678 est désactivé\u202f; 0 session fermée."
    )
    assert not User.objects.get(pk=fatou.pk).is_active
    call_command("account_enable", "+33 6 12 34 56 78")
    assert User.objects.get(pk=fatou.pk).is_active
    actions = AuditEntry.objects.filter(target=f"user:{fatou.pk}").values_list("action", "actor")
    assert sorted(actions) == [("account.disable", None), ("account.enable", None)]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("fatou", "Saisissez une adresse e-mail ou un numéro de mobile."),
        ("06 12", "06 12\u00a0» n'est pas un numéro de mobile valide"),
        ("07 81 23 45 67", "Aucun compte n'a l'adresse e-mail ou le numéro de mobile"),
    ],
)
def test_the_cli_says_what_is_wrong_with_a_number(fatou, typed, said):
    with pytest.raises(CommandError, match=said) as failed:
        call_command("account_disable", typed)
    assert failed.value.returncode == 1
    assert User.objects.get(pk=fatou.pk).is_active
    assert not AuditEntry.objects.filter(action="account.disable").exists()


def test_the_cli_resets_the_second_factor_of_a_phone_login(fatou, capsys):
    call_command("two_factor_reset", "0612345678")
    assert "+33612345678" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="2fa.reset", target=f"user:{fatou.pk}").exists()


def test_an_administrator_finds_a_phone_login_on_the_logins_page_and_disables_it(
    client, personas, fatou
):
    client.force_login(personas.admin)
    page = client.get(reverse("accounts:security_admin"), {"login": "06 12 34 56 78"})
    content = page.content.decode()
    assert page.context["account"] == fatou
    assert "+33612345678" in content and "Fatou Terrain" in content
    assert "se connecte par téléphone" in content.lower()
    response = client.post(
        reverse("accounts:account_disable", args=[fatou.pk]), {"confirm": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith("?login=%2B33612345678")
    assert not User.objects.get(pk=fatou.pk).is_active
    entry = AuditEntry.objects.get(action="account.disable")
    assert entry.actor == personas.admin and entry.target == f"user:{fatou.pk}"
    listed = client.get(reverse("accounts:security_admin")).content.decode()
    assert "?login=%2B33612345678" in listed


def test_a_bad_number_on_the_logins_page_is_named(client, personas, fatou):
    client.force_login(personas.admin)
    page = client.get(reverse("accounts:security_admin"), {"login": "06 12"})
    assert page.context["account"] is None
    assert page.context["form"].errors["login"] == [
        "«\u00a006 12\u00a0» n'est pas un numéro de mobile valide."
    ]


def test_a_manager_cannot_look_a_phone_login_up(client, personas, fatou):
    client.force_login(personas.shop_manager)
    page = client.get(reverse("accounts:security_admin"), {"login": "06 12 34 56 78"})
    assert page.status_code == 403
