"""Reads about signing in without an e-mail address: the login of a mobile number, whether a
login may use the phone methods, sign-in links, and the phones kept signed in."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.accounts.models import LoginSession, SignInLink, User
from miroir.accounts.selectors import two_factor_required


def phone_login(phone: str) -> User | None:
    """Return the active login of the mobile number ``phone`` (E.164), or None.

    Only the login of an active member who has no e-mail address: those with one log in with
    their password, and a manager's link must not stand in for it.
    """
    if not phone:
        return None
    return (
        User.objects.filter(
            phone=phone, is_active=True, member__is_active=True, member__email__isnull=True
        )
        .select_related("member")
        .first()
    )


def phone_method_refusal(user: Any) -> str | None:
    """Return why ``user`` may not sign in by SMS code or handed-out link, or None.

    The roles that must use two-factor authentication keep it: a code sent to a phone, or a
    link a manager handed out, would let a stolen phone or a manager in without it.
    """
    if two_factor_required(user):
        return _(
            "Your role requires two-factor authentication: log in with your e-mail address, "
            "your password and your authenticator app."
        )
    return None


def sign_in_token_digest(token: str) -> str:
    """Return the stored form of a sign-in link's token (SHA-256: the token is random)."""
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def sign_in_link_by_token(token: str) -> SignInLink | None:
    """Return the usable link of ``token`` (unused, unrevoked, unexpired), or None."""
    if not token or len(token) > 100:
        return None
    link = (
        SignInLink.objects.filter(token_hash=sign_in_token_digest(token))
        .select_related("user", "user__member")
        .first()
    )
    if link is None or not link.usable(timezone.now()) or not link.user.is_active:
        return None
    return link


def sign_in_links_of_members(member_ids: list[int]) -> dict[int, list[SignInLink]]:
    """Return the links still usable of these members, by member id, latest first."""
    links = SignInLink.objects.filter(
        user__member__pk__in=member_ids,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("user__member", "created_by")
    found: dict[int, list[SignInLink]] = {}
    for link in links:
        found.setdefault(link.user.member.pk, []).append(link)
    return found


def sign_in_link_refusal(member: Any) -> str | None:
    """Return why no sign-in link may be handed out to ``member``, or None when one may."""
    user = getattr(member, "user", None)
    if member.email:
        return _(
            "%(name)s has an e-mail address: they log in with it and can ask for a new "
            "password on the login page."
        ) % {"name": member.full_name}
    if not member.is_active or user is None or not user.is_active or not user.phone:
        return _(
            "%(name)s has no login: their mobile number must be listed in the organisation "
            "import first."
        ) % {"name": member.full_name}
    return phone_method_refusal(user)


def remembered_sessions(user: Any) -> QuerySet[LoginSession]:
    """Return the phones (sessions) ``user`` chose to keep signed in, still valid."""
    return LoginSession.objects.filter(user=user, remembered_until__gt=timezone.now()).order_by(
        "-started_at"
    )
