"""Slowing down password guessing without handing strangers a way to lock people out.

Failures are counted with the rate-limit counters (core/ratelimit.py), in the shared cache so
that every worker sees them, three ways:

- per **account and address** pair: past ``login_failures_pair`` failures, that address may not
  try that account for ``MIROIR_LOGIN_LOCKOUT_SECONDS``, even with the right password. The
  owner, from anywhere else, is not affected;
- per **address**: past ``login_failures_address`` failures over any accounts, the address is
  locked the same way (one machine guessing many accounts);
- per **account**, from every address: past ``login_failures_account`` failures, each further
  password attempt on the account must wait a delay that doubles with every failure, up to
  ``MAX_DELAY_SECONDS``. Guessing from many addresses is slowed to a crawl, while the owner
  waits a minute at most, and an owner with an authenticator app skips the delay by giving its
  code with the password (``views.login_view``): a password and a code together are not
  guessable, and their failures still count.

A lock or a delay expires by itself; an administrator may lift them sooner (``lock_lift``).
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.core.cache import cache

from miroir.core import ratelimit

ACCOUNT = "account"
ADDRESS = "address"
PAIR = "pair"
# The longest an account's owner ever waits between two password attempts.
MAX_DELAY_SECONDS = 60


def _lock_key(kind: str, who: str) -> str:
    digest = hashlib.sha256(who.encode("utf-8")).hexdigest()[:32]
    return f"lock:{kind}:{digest}"


def _generation_key(email: str) -> str:
    return _lock_key("generation", email.lower())


def _pair(email: str, address: str) -> str:
    """Return the key of an account and address pair.

    It carries the account's generation, which ``lock_lift`` moves on: every pair lock of the
    account is then forgotten at once, though pairs cannot be listed.
    """
    generation = cache.get(_generation_key(email), 0)
    return f"{email.lower()}\n{address}\n{generation}"


def _left(key: str) -> int:
    until = cache.get(key)
    moment = ratelimit.now()
    return math.ceil(until - moment) if until and until > moment else 0


def lock_remaining(*, email: str, address: str) -> int:
    """Return the seconds before this address may try this account again (0: now).

    Only the locks of the pair and of the address: the account's own delay is
    ``account_delay``, which the second factor can skip.
    """
    keys = [_lock_key(ADDRESS, address)] if address else []
    if email and address:
        keys.append(_lock_key(PAIR, _pair(email, address)))
    return max((_left(key) for key in keys), default=0)


def account_delay(*, email: str) -> int:
    """Return the seconds before the account takes another password-only attempt (0: now)."""
    return _left(_lock_key(ACCOUNT, email.lower())) if email else 0


def failure_record(*, email: str, address: str) -> list[str]:
    """Count one failed login; return what it has just started (pair, address, account)."""
    started = []
    counted = [(ADDRESS, address)] if address else []
    if email and address:
        counted.append((PAIR, _pair(email, address)))
    for kind, who in counted:
        if not ratelimit.hit(f"login_failures_{kind}", who).allowed:
            seconds = settings.MIROIR_LOGIN_LOCKOUT_SECONDS
            key = _lock_key(kind, who)
            if not _left(key):
                started.append(kind)
            cache.set(key, ratelimit.now() + seconds, timeout=seconds)
            ratelimit.reset(f"login_failures_{kind}", who)
    if email and _delay_count(email.lower()):
        started.append(ACCOUNT)
    return started


def _delay_count(email: str) -> bool:
    """Count a failure on the account; set its delay past the limit (True if it starts one)."""
    name = "login_failures_account"
    allowed, _window = ratelimit.limit_for(name)
    ratelimit.hit(name, email)
    over = ratelimit.peek(name, email) - allowed
    if over <= 0:
        return False
    seconds = min(MAX_DELAY_SECONDS, 2 ** (over - 1))
    key = _lock_key(ACCOUNT, email)
    # The delay ends at the moment stored (``_left``); the cache keeps it a minute longer so
    # that a delay of one or two seconds is not dropped early by a cache on another clock.
    cache.set(key, ratelimit.now() + seconds, timeout=seconds + 60)
    return over == 1


def failures_clear(*, email: str, address: str = "") -> None:
    """Forget an account's failed logins (and this address's on it), after it logged in."""
    email = email.lower()
    ratelimit.reset("login_failures_account", email)
    cache.delete(_lock_key(ACCOUNT, email))
    if address:
        ratelimit.reset("login_failures_pair", _pair(email, address))


def lock_lift(*, email: str) -> None:
    """Lift an account's delay and every pair lock on it (an administrator's decision)."""
    failures_clear(email=email)
    key = _generation_key(email)
    cache.set(key, cache.get(key, 0) + 1, timeout=None)
