"""Reads about logins: second factor required, in place, sessions."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from miroir.accounts.models import TotpDevice


def two_factor_required(user: Any) -> bool:
    """Return whether ``user`` holds a role that must log in with a second factor."""
    from miroir.org.models import Role, RoleKind

    required = set(settings.MIROIR_2FA_REQUIRED_ROLES)
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
