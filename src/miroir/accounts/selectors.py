"""Reads about logins: second factor required, in place, sessions, administrators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from miroir.accounts.models import TotpDevice, User


def two_factor_required(user: Any) -> bool:
    """Return whether ``user`` holds a role that must log in with a second factor."""
    return _holds_role(user, set(settings.MIROIR_2FA_REQUIRED_ROLES))


def single_sign_on_required(user: Any) -> bool:
    """Return whether ``user`` holds a role that must sign in through a provider (SSO).

    Never while no provider is configured: nobody would be able to log in.
    """
    if not settings.MIROIR_OIDC_PROVIDERS:
        return False
    return _holds_role(user, set(settings.MIROIR_OIDC_REQUIRED_ROLES))


def account_for_single_sign_on(email: str) -> User | None:
    """Return the login whose address is ``email`` (any case), or None.

    None too when two logins differ only by case: which one was meant cannot be told.
    """
    found = list(User.objects.filter(email__iexact=email.strip())[:2])
    return found[0] if len(found) == 1 else None


def login_identifier(value: str) -> str:
    """Return what a login is found by: the e-mail address in lower case, or the E.164 number.

    Raises ``ValueError`` naming the problem when ``value`` is neither.
    """
    from miroir.collect.phones import PhoneInvalid, phone_e164

    value = value.strip()
    if "@" in value:
        return value.lower()
    if not any(char.isdigit() for char in value):
        raise ValueError(_("Enter an e-mail address or a mobile number."))
    try:
        return phone_e164(value)
    except PhoneInvalid:
        raise ValueError(
            _("“%(value)s” is not a valid mobile number.") % {"value": value}
        ) from None


def login_by_identifier(identifier: str) -> User | None:
    """Return the login of an identifier from ``login_identifier``, or None."""
    if "@" in identifier:
        return User.objects.filter(email=identifier).first()
    return User.objects.filter(phone=identifier).first()


def _holds_role(user: Any, required: set[str]) -> bool:
    from miroir.org.models import Role, RoleKind

    if not required or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser and RoleKind.ADMINISTRATOR in required:
        return True
    return Role.objects.filter(
        member__user=user, member__is_active=True, kind__in=required
    ).exists()


def confirmed_device(user: Any) -> TotpDevice | None:
    """Return the user's confirmed authenticator, or None."""
    if not getattr(user, "pk", None):
        return None
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def unconfirmed_device(user: Any) -> TotpDevice | None:
    """Return the authenticator the user is setting up (not yet confirmed), or None."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def recovery_codes_left(user: Any) -> int:
    """Return how many unused recovery codes the user has."""
    return user.recovery_codes.filter(used_at__isnull=True).count()


def administrators_active() -> QuerySet[User]:
    """Return the logins that can act as administrators now.

    The same rule as ``org.selectors.scope_for_user``: an active login that is a superuser, or
    whose active member holds the administrator role.
    """
    from miroir.org.models import RoleKind

    holders = Q(is_superuser=True) | Q(
        member__is_active=True, member__roles__kind=RoleKind.ADMINISTRATOR
    )
    return User.objects.filter(holders, is_active=True).distinct()


def logins_disabled_by_administrators(*, limit: int = 100) -> list[User]:
    """Return the logins an administrator disabled, the latest first (at most ``limit``)."""
    disabled = User.objects.filter(is_active=False, disabled_at__isnull=False)
    return list(disabled.order_by("-disabled_at")[:limit])


def account_disable_refusal(*, user: User, actor: User | None) -> str | None:
    """Return why ``actor`` may not disable ``user``'s login, or None when they may.

    Nobody disables their own login (an administrator would lock themselves out), nor the
    last active administrator's: no one would be left to manage logins from the pages.
    """
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        return _("You cannot disable your own login: ask another administrator.")
    administrators = administrators_active()
    if (
        administrators.filter(pk=user.pk).exists()
        and not administrators.exclude(pk=user.pk).exists()
    ):
        return _(
            "%(email)s is the last active administrator: give the administrator role to "
            "someone else before disabling this login."
        ) % {"email": user.identifier}
    return None


def account_enable_refusal(*, user: User) -> str | None:
    """Return why ``user``'s login may not be enabled again, or None when it may.

    The login of a member follows the member: enabled while the member is inactive or without
    an e-mail address, the next organisation import would disable it again.
    """
    from miroir.org.models import Member

    member = Member.objects.filter(user=user).only("is_active", "email").first()
    if member is not None and not member.is_active:
        return _(
            "%(email)s belongs to a collaborator listed as inactive in the organisation: make "
            "them active again through the organisation import first."
        ) % {"email": user.identifier}
    if member is not None and not member.email and not user.phone:
        return _(
            "%(email)s belongs to a collaborator who no longer has an e-mail address: give "
            "them one through the organisation import first."
        ) % {"email": user.identifier}
    return None
