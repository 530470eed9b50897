"""A clock the tests move, and a persona enrolled with an authenticator."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.urls import reverse

from miroir.accounts import services, twofactor
from miroir.accounts.models import User
from tests.personas import PASSWORD


@dataclass
class Clock:
    """The time seen by the code under test: ``now`` seconds, moved by ``advance``."""

    now: float

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def install_clock(monkeypatch) -> Clock:
    """Return a clock that the second factor, the sessions and the rate limits all read."""
    # The middle of a TOTP step, so that "the next step" is unambiguous.
    clock = Clock(now=(int(time.time()) // 30) * 30 + 15.0)
    monkeypatch.setattr("miroir.accounts.twofactor.now", clock)
    monkeypatch.setattr("miroir.core.ratelimit.now", clock)
    return clock


def code_now(secret: str, clock: Clock, *, steps: int = 0) -> str:
    """Return the code an authenticator shows at the clock's time, ``steps`` steps away."""
    return twofactor.code_at_step(secret, twofactor.current_step(clock.now) + steps)


def enrol(user: User, clock: Clock) -> tuple[str, list[str]]:
    """Return the secret and recovery codes of an authenticator set up for ``user``.

    The clock moves on one step, so that the code used to confirm is not the next one asked.
    """
    device = services.totp_setup_start(user=user)
    codes = services.totp_confirm(user=user, code=code_now(device.secret, clock))
    clock.advance(30)
    return device.secret, codes


def password_step(client, user: User, **extra):
    """Return the answer to the first step of the login form."""
    return client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD, **extra}
    )


def phone_member(unit, *, first: str = "Fatou", phone: str = "06 12 34 56 78", roles=()):
    """Return a member of ``unit`` without an e-mail address, with a mobile number and its login."""
    from miroir.org.models import ContractType, Member
    from miroir.org.services import member_sync_user, role_grant

    member = Member.objects.create(
        first_name=first,
        last_name="Terrain",
        email=None,
        phone=phone,
        unit=unit,
        contract_type=ContractType.PERMANENT,
        external_id=f"M-phone-{first.lower()}",
    )
    member_sync_user(member)
    for kind in roles:
        role_grant(member=member, kind=kind)
    member.refresh_from_db()
    return member


def sms_to_file(settings, folder):
    """Send SMS to the file backend under ``folder``; return the settings."""
    settings.COLLECT_SMS_BACKEND = "file"
    settings.COLLECT_SMS_FILE_DIR = folder / "sms"
    return settings


def sms_sent(settings) -> list[dict[str, str]]:
    """Return the SMS the file backend wrote, oldest first."""
    from miroir.collect.channels.sms.backends import FileBackend

    return FileBackend(settings.COLLECT_SMS_FILE_DIR).messages()


def code_in(text: str) -> str:
    """Return the six-digit code of a sign-in SMS."""
    import re

    return re.search(r"#(\d{6})", text).group(1)
