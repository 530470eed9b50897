"""A manager hands out a personal sign-in link (or its QR code) to a member of their unit who
has no e-mail address: single use, expiring, revocable, listed on the unit's page, refused to
the roles that keep two-factor and to members who have an e-mail address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from miroir.accounts.models import LoginSession, SignInLink
from miroir.accounts.signin_selectors import sign_in_token_digest
from miroir.accounts.signin_services import sign_in_link_issue, sign_in_link_revoke
from miroir.audit.models import AuditEntry
from miroir.org.models import RoleKind
from tests.accounts.support import phone_member


@pytest.fixture
def fatou(personas):
    return phone_member(personas.lille)


def test_the_manager_hands_out_a_link_with_its_qr_code_shown_once(client, personas, fatou):
    client.force_login(personas.shop_manager)
    response = client.post(reverse("accounts:member_sign_in_link", args=[fatou.pk]))
    html = response.content.decode()
    assert "<svg" in html and response["Referrer-Policy"] == "no-referrer"
    token = re.search(r"/accounts/login/link/([^/\"]+)/", html).group(1)
    stored = SignInLink.objects.get(user=fatou.user)
    assert stored.token_hash == sign_in_token_digest(token) and token not in stored.token_hash
    assert stored.expires_at > timezone.now() + timedelta(days=6)
    assert AuditEntry.objects.filter(action="login.link_issue").exists()
    unit_page = client.get(reverse("org:unit_detail", args=[personas.lille.pk])).content.decode()
    assert reverse("accounts:sign_in_link_revoke", args=[stored.pk]) in unit_page
    assert token not in unit_page


def test_the_link_signs_in_once(personas, fatou):
    _link, token = sign_in_link_issue(member=fatou, actor=personas.shop_manager)
    url = reverse("accounts:login_link", args=[token])
    phone = Client()
    page = phone.get(url)
    assert page.status_code == 200 and not page.wsgi_request.user.is_authenticated, (
        "opening the link (a scanner, a preview) signs nobody in"
    )
    response = phone.post(url, {"remember": "on"})
    assert response.status_code == 302
    assert phone.get(reverse("core:home")).wsgi_request.user == fatou.user
    kept = LoginSession.objects.get(user=fatou.user)
    assert kept.method == "link" and kept.remembered_until is not None
    again = Client().post(url)
    assert again.status_code == 404
    assert not again.wsgi_request.user.is_authenticated


def test_an_expired_link_signs_nobody_in(personas, fatou):
    link, token = sign_in_link_issue(member=fatou, actor=personas.shop_manager)
    SignInLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().post(reverse("accounts:login_link", args=[token]))
    assert response.status_code == 404 and not response.wsgi_request.user.is_authenticated


def test_a_revoked_link_signs_nobody_in(client, personas, fatou):
    link, token = sign_in_link_issue(member=fatou, actor=personas.shop_manager)
    client.force_login(personas.shop_manager)
    assert client.post(reverse("accounts:sign_in_link_revoke", args=[link.pk])).status_code == 302
    response = Client().post(reverse("accounts:login_link", args=[token]))
    assert response.status_code == 404 and not response.wsgi_request.user.is_authenticated
    assert AuditEntry.objects.filter(action="login.link_revoke").exists()


def test_a_used_link_cannot_be_revoked_into_a_different_story(personas, fatou):
    link, token = sign_in_link_issue(member=fatou, actor=personas.shop_manager)
    Client().post(reverse("accounts:login_link", args=[token]))
    sign_in_link_revoke(link=link, actor=personas.shop_manager)
    link.refresh_from_db()
    assert link.used_at is not None and link.revoked_at is None


def test_the_manager_of_a_sibling_shop_cannot_hand_out_one(client, personas, fatou):
    client.force_login(personas.sibling_manager)
    response = client.post(reverse("accounts:member_sign_in_link", args=[fatou.pk]))
    assert response.status_code == 404
    assert not SignInLink.objects.exists()


def test_a_member_with_an_email_gets_no_link(personas):
    with pytest.raises(ValidationError):
        sign_in_link_issue(member=personas.employee_member, actor=personas.shop_manager)


@pytest.mark.parametrize("role", [RoleKind.DIRECTION, RoleKind.ADMINISTRATOR])
def test_roles_that_keep_two_factor_get_no_link(personas, role):
    member = phone_member(personas.lille, first="Dora", phone="06 55 44 33 22", roles=[role])
    with pytest.raises(ValidationError, match=r"two-factor|double authentification"):
        sign_in_link_issue(member=member, actor=personas.shop_manager)


def test_a_link_handed_out_before_a_two_factor_role_is_refused_with_a_message(personas, fatou):
    from miroir.org.services import role_grant

    link, token = sign_in_link_issue(member=fatou, actor=personas.shop_manager)
    role_grant(member=fatou, kind=RoleKind.DIRECTION)
    phone = Client()
    response = phone.post(reverse("accounts:login_link", args=[token]))
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["refusal"]
    link.refresh_from_db()
    assert link.used_at is None
