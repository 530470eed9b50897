"""Locking an account, or an address, out of logging in after repeated failures.

Failures are counted with the rate-limit counters (core/ratelimit.py); once an account or an
address exceeds its limit it is locked for ``MIROIR_LOGIN_LOCKOUT_SECONDS``, after which the
lock expires by itself. While locked, even the right password is refused, so guessing on
gains nothing. Both locks live in the shared cache, so every worker sees them.
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.core.cache import cache

from miroir.core import ratelimit

ACCOUNT = "account"
ADDRESS = "address"


def _lock_key(kind: str, who: str) -> str:
    digest = hashlib.sha256(who.encode("utf-8")).hexdigest()[:32]
    return f"lock:{kind}:{digest}"


def lock_remaining(*, email: str, address: str) -> int:
    """Return the seconds left before the account and the address may log in (0: now)."""
    moment = ratelimit.now()
    until = [
        cache.get(_lock_key(ACCOUNT, email.lower())),
        cache.get(_lock_key(ADDRESS, address)),
    ]
    return max([math.ceil(u - moment) for u in until if u and u > moment], default=0)


def failure_record(*, email: str, address: str) -> list[str]:
    """Count one failed login; return which of account/address it has just locked."""
    locked = []
    for kind, who in ((ACCOUNT, email.lower()), (ADDRESS, address)):
        if not who:
            continue
        if not ratelimit.hit(f"login_failures_{kind}", who).allowed:
            seconds = settings.MIROIR_LOGIN_LOCKOUT_SECONDS
            key = _lock_key(kind, who)
            if not cache.get(key):
                locked.append(kind)
            cache.set(key, ratelimit.now() + seconds, timeout=seconds)
            ratelimit.reset(f"login_failures_{kind}", who)
    return locked


def failures_clear(*, email: str) -> None:
    """Forget an account's failed logins, after it logged in."""
    ratelimit.reset("login_failures_account", email.lower())


def lock_lift(*, email: str) -> None:
    """Unlock an account before its lock expires (an administrator's decision)."""
    cache.delete(_lock_key(ACCOUNT, email.lower()))
    failures_clear(email=email)
