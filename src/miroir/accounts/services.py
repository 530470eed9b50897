"""Writes about logins: the second factor, sessions, disabling and enabling an account, login
records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from miroir.accounts import twofactor
from miroir.accounts.models import LoginSession, RecoveryCode, TotpDevice, User
from miroir.accounts.selectors import (
    account_disable_refusal,
    account_enable_refusal,
    administrators_active,
    two_factor_required,
)
from miroir.audit.services import audit_record

TOTP = "totp"
RECOVERY = "recovery"


def _session_store() -> type[SessionBase]:
    from django.conf import settings

    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


# --- sessions -----------------------------------------------------------------------------


def login_session_record(*, user: User, session_key: str) -> None:
    """Remember which session a login opened, so that it can be ended from elsewhere."""
    from django.conf import settings

    # Sessions past their absolute lifetime are over whether or not they logged out.
    oldest = timezone.now() - timedelta(seconds=settings.MIROIR_SESSION_MAX_LIFETIME)
    LoginSession.objects.filter(user=user, started_at__lt=oldest).exclude(
        remembered_until__gt=timezone.now()
    ).delete()
    LoginSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def account_sessions_end(*, user: User) -> int:
    """Return how many sessions of ``user`` were ended (deleted from the session store)."""
    store = _session_store()
    keys = list(LoginSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    LoginSession.objects.filter(user=user).delete()
    return len(keys)


def _logins_lock(pks: set[int]) -> None:
    # One statement, in a fixed order: two administrators acting on each other at the same
    # moment queue up instead of deadlocking, and the second one sees what the first did.
    list(User.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk"))


@transaction.atomic
def account_disable(*, user: User, actor: User | None) -> int:
    """Return how many sessions ended when ``user`` was disabled: they can no longer log in.

    Refused (``ValidationError``) for one's own login and for the last active administrator.
    An organisation import does not enable the login again; disabling it twice changes nothing.
    """
    admins = set(administrators_active().values_list("pk", flat=True))
    _logins_lock({user.pk, *admins})
    user.refresh_from_db(fields=["is_active", "disabled_at"])
    if not user.is_active and user.disabled_at is not None:
        return 0
    refusal = account_disable_refusal(user=user, actor=actor)
    if refusal:
        raise ValidationError(refusal)
    user.is_active = False
    user.disabled_at = timezone.now()
    user.save(update_fields=["is_active", "disabled_at"])
    ended = account_sessions_end(user=user)
    audit_record(
        actor=actor, action="account.disable", target=f"user:{user.pk}", details={"sessions": ended}
    )
    return ended


@transaction.atomic
def account_enable(*, user: User, actor: User | None) -> User:
    """Return the user, able to log in again with their password.

    Refused (``ValidationError``) for the login of a member the organisation lists as inactive
    or without an e-mail address: the import enables that login with the member.
    """
    _logins_lock({user.pk})
    user.refresh_from_db(fields=["is_active", "disabled_at"])
    if user.is_active and user.disabled_at is None:
        return user
    refusal = account_enable_refusal(user=user)
    if refusal:
        raise ValidationError(refusal)
    user.is_active = True
    user.disabled_at = None
    user.save(update_fields=["is_active", "disabled_at"])
    audit_record(actor=actor, action="account.enable", target=f"user:{user.pk}")
    return user


# --- login records ------------------------------------------------------------------------


def login_succeeded(*, user: User, method: str) -> None:
    """Write down a login (``method``: password, totp or recovery)."""
    audit_record(actor=user, action="login", target=f"user:{user.pk}", details={"method": method})


def login_failed(*, email: str, user: User | None, locked: list[str], stage: str) -> None:
    """Write down a failed login, and the locks it set (account, address).

    The address typed is kept only when it is an account's: a mistyped one could be anything.
    """
    target = f"user:{user.pk}" if user is not None else ""
    details: dict[str, Any] = {"stage": stage}
    if user is None:
        details["unknown_account"] = True
    audit_record(actor=None, action="login.failed", target=target, details=details)
    if locked:
        audit_record(
            actor=None,
            action="login.locked",
            target=target,
            details={"locked": sorted(locked), **({"email": email} if user else {})},
        )


def sso_login_succeeded(*, user: User, provider: str, provider_mfa: bool) -> None:
    """Write down a login through a provider, and whether its second factor stood for ours."""
    audit_record(
        actor=user,
        action="login",
        target=f"user:{user.pk}",
        details={"method": "sso", "provider": provider, "provider_mfa": provider_mfa},
    )


def sso_code_asked(*, user: User, provider: str) -> None:
    """Write down a sign-in through a provider that now waits for Miroir's second factor."""
    audit_record(
        actor=user,
        action="login.sso_pending",
        target=f"user:{user.pk}",
        details={"provider": provider},
    )


def sso_refused(*, provider: str, reason: str, user: User | None, locked: list[str]) -> None:
    """Write down a refused sign-in through a provider (``reason``: ``sso.REFUSALS``).

    Like a failed password, the address the provider gave is kept only when it is a login's.
    """
    target = f"user:{user.pk}" if user is not None else ""
    audit_record(
        actor=None,
        action="login.failed",
        target=target,
        details={"stage": "sso", "provider": provider, "reason": reason},
    )
    if locked:
        audit_record(
            actor=None,
            action="login.locked",
            target=target,
            details={"locked": sorted(locked), **({"email": user.email} if user else {})},
        )


@transaction.atomic
def login_unlock(*, user: User, actor: User | None) -> None:
    """Lift the lock that failed logins put on an account, before it expires by itself."""
    from miroir.accounts.lockout import lock_lift

    lock_lift(email=user.identifier)
    audit_record(actor=actor, action="login.unlock", target=f"user:{user.pk}")


# --- the second factor --------------------------------------------------------------------


def totp_setup_start(*, user: User) -> TotpDevice:
    """Return the authenticator being set up for ``user``: a new secret, not yet in use.

    Starting again replaces an unconfirmed secret; a confirmed one must be disabled first.
    """
    if TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise ValidationError(_("Two-factor authentication is already on for this account."))
    device, _created = TotpDevice.objects.update_or_create(
        user=user, defaults={"secret": twofactor.new_secret(), "last_step": None}
    )
    return device


def _recovery_codes_replace(user: User) -> list[str]:
    codes = twofactor.new_recovery_codes()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=twofactor.recovery_code_hash(code)) for code in codes
    )
    return codes


def _step_claim(device: TotpDevice, step: int) -> bool:
    """Return whether ``step`` was claimed now: later than any code accepted before."""
    from django.db.models import Q

    claimed = (
        TotpDevice.objects.filter(pk=device.pk)
        .filter(Q(last_step__isnull=True) | Q(last_step__lt=step))
        .update(last_step=step)
    )
    return claimed == 1


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Return the new recovery codes, once the first code proves the app is set up."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.is_confirmed:
        raise ValidationError(_("Start the set-up again: no authenticator is waiting."))
    step = twofactor.matching_step(device.secret, code)
    if step is None or not _step_claim(device, step):
        raise ValidationError(
            _("This code is not the one your app shows. Check the phone's clock and try again.")
        )
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action="2fa.enable", target=f"user:{user.pk}")
    return codes


@transaction.atomic
def second_factor_check(*, user: User, code: str) -> str | None:
    """Return how ``code`` proved the second factor (totp, recovery), or None if it did not.

    A TOTP code is accepted once: its time step must be later than the last one accepted. A
    recovery code is spent by its use.
    """
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    if twofactor.looks_like_recovery_code(code):
        spent = RecoveryCode.objects.filter(
            user=user, code_hash=twofactor.recovery_code_hash(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        if not spent:
            return None
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit_record(
            actor=user,
            action="2fa.recovery_code_used",
            target=f"user:{user.pk}",
            details={"left": left},
        )
        return RECOVERY
    step = twofactor.matching_step(device.secret, code)
    if step is None or not _step_claim(device, step):
        return None
    return TOTP


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Return a new set of recovery codes; the old ones stop working."""
    if not TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise ValidationError(_("Turn two-factor authentication on first."))
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action="2fa.recovery_codes_renew", target=f"user:{user.pk}")
    return codes


@transaction.atomic
def totp_disable(*, user: User, code: str) -> None:
    """Turn the user's second factor off, on a current code; refused where it is required."""
    if two_factor_required(user):
        raise PermissionDenied(_("Your role requires two-factor authentication."))
    if second_factor_check(user=user, code=code) is None:
        raise ValidationError(_("This code is not valid."))
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(actor=user, action="2fa.disable", target=f"user:{user.pk}")


@transaction.atomic
def totp_reset(*, user: User, actor: User | None) -> int:
    """Return how many sessions ended when an administrator removed a user's second factor.

    For someone who lost their phone and their recovery codes: they log in with their password
    and, if their role requires it, set up a new authenticator before anything else.
    """
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    ended = account_sessions_end(user=user)
    audit_record(
        actor=actor, action="2fa.reset", target=f"user:{user.pk}", details={"sessions": ended}
    )
    return ended
