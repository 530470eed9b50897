"""Writes to the organisation: units, members, roles."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.accounts.models import User
from miroir.accounts.services import account_sessions_end
from miroir.audit.services import audit_record
from miroir.core.inputs import text_clean
from miroir.org.models import Member, Role, RoleKind, Unit


def unit_path_for(pk: int, parent: Unit | None) -> str:
    """Return the materialised path of a unit with this id under ``parent``."""
    return f"{parent.path if parent else '/'}{pk}/"


@transaction.atomic
def unit_create(
    *,
    name: str,
    kind: str,
    parent: Unit | None = None,
    external_id: str | None = None,
    timezone: str = "Europe/Paris",
    actor: User | None = None,
) -> Unit:
    """Return a new unit placed under ``parent`` (a root when None)."""
    unit = Unit(
        name=text_clean(name).strip(),
        kind=kind,
        parent=parent,
        external_id=external_id or None,
        timezone=timezone,
        depth=parent.depth + 1 if parent else 0,
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = unit_path_for(unit.pk, parent)
    unit.save(update_fields=["path"])
    if actor is not None:
        audit_record(actor=actor, action="unit.create", target=f"unit:{unit.pk}")
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit | None, actor: User | None = None) -> Unit:
    """Return the unit moved under ``new_parent``, with its whole subtree re-pathed."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved under itself or one of its children."))
    old_path, old_depth = unit.path, unit.depth
    new_path = unit_path_for(unit.pk, new_parent)
    new_depth = new_parent.depth + 1 if new_parent else 0
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + (new_depth - old_depth),
        # Bulk updates skip auto_now; readers that keep the tree watch this column.
        updated_at=timezone.now(),
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent, updated_at=timezone.now())
    unit.refresh_from_db()
    if actor is not None:
        audit_record(
            actor=actor,
            action="unit.move",
            target=f"unit:{unit.pk}",
            details={"to": new_parent.pk if new_parent else None},
        )
    return unit


def member_sync_user(member: Member) -> User | None:
    """Return the login of a member with an e-mail, created or aligned with the member.

    A new login has no usable password: the person sets one through the
    password-reset e-mail, so no password ever travels in an import file. A member without
    an e-mail address but with a mobile number gets a login keyed by that number, with no
    password at all: they sign in with a code sent by SMS or a link their manager hands out
    (accounts/signin_services.py).
    """
    user = member.user
    if member.email and member.email != member.email.lower():
        # Logins are matched lower-cased (see the login form): keep both sides so.
        member.email = member.email.lower()
        member.save(update_fields=["email"])
    if not member.email:
        phone = mobile_number(member.phone)
        if phone:
            return _phone_login_sync(member, user, phone)
        if user is not None and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            account_sessions_end(user=user)
        return user
    if user is None:
        user = User.objects.filter(email=member.email).first()
        if user is None:
            user = User(email=member.email, is_active=member.is_active)
            user.set_unusable_password()
            user.save()
        member.user = user
        member.save(update_fields=["user"])
        return user
    changed = []
    if user.email != member.email:
        user.email = member.email
        changed.append("email")
    if user.phone is not None:
        # Back to an e-mail address: the number no longer logs in.
        user.phone = None
        changed.append("phone")
    # A login an administrator disabled stays so, whatever the member's state.
    active = member.is_active and user.disabled_at is None
    if user.is_active != active:
        user.is_active = active
        changed.append("is_active")
    if changed:
        user.save(update_fields=changed)
    if "is_active" in changed and not user.is_active:
        # A disabled login keeps no open session (accounts/middleware.py checks too).
        account_sessions_end(user=user)
    return user


def mobile_number(text: str) -> str | None:
    """Return ``text`` as an E.164 number, or None when it is not a number."""
    from miroir.collect.phones import PhoneInvalid, phone_e164

    if not text:
        return None
    try:
        return phone_e164(text)
    except PhoneInvalid:
        return None


def _phone_login_sync(member: Member, user: User | None, phone: str) -> User | None:
    """Return the login keyed by the mobile number of ``member``, who has no e-mail address."""
    if user is None:
        user = User.objects.filter(phone=phone).first()
        if user is not None and Member.objects.filter(user=user).exclude(pk=member.pk).exists():
            # Two members listed with one number: neither takes the other's login.
            return None
        if user is None:
            user = User(email=None, phone=phone, is_active=member.is_active)
            user.set_unusable_password()
            user.save()
        member.user = user
        member.save(update_fields=["user"])
    if User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        return user
    active = member.is_active and user.disabled_at is None
    changed = [
        name
        for name, value in (("email", None), ("phone", phone), ("is_active", active))
        if getattr(user, name) != value
    ]
    if changed:
        if "email" in changed:
            # The password went with the address it was set for.
            user.set_unusable_password()
            changed.append("password")
        for name, value in (("email", None), ("phone", phone), ("is_active", active)):
            setattr(user, name, value)
        user.save(update_fields=changed)
    if ("is_active" in changed and not user.is_active) or "email" in changed:
        account_sessions_end(user=user)
    return user


@transaction.atomic
def role_grant(
    *, member: Member, kind: str, unit: Unit | None = None, actor: User | None = None
) -> Role:
    """Return the role granted to ``member`` (the existing one when already granted)."""
    if kind == RoleKind.MANAGER and unit is None:
        raise ValidationError(_("A manager role needs a unit."))
    if kind != RoleKind.MANAGER:
        unit = None
    role, created = Role.objects.get_or_create(member=member, kind=kind, unit=unit)
    if created and actor is not None:
        audit_record(
            actor=actor,
            action="role.grant",
            target=f"member:{member.pk}",
            details={"role": kind, "unit": unit.pk if unit else None},
        )
    return role


@transaction.atomic
def role_revoke(*, role: Role, actor: User | None = None) -> None:
    """Remove a role, and write it down."""
    details = {"role": role.kind, "unit": role.unit_id}
    member_id = role.member_id
    role.delete()
    if actor is not None:
        audit_record(
            actor=actor, action="role.revoke", target=f"member:{member_id}", details=details
        )
