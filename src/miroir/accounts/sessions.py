"""What a login session carries besides the user: when it started, when it was last used,
whether its second factor was passed, and the half-finished login between the two steps."""

from __future__ import annotations

from typing import Any

from miroir.accounts import twofactor

LOGIN_AT = "miroir_login_at"
SEEN_AT = "miroir_seen_at"
VERIFIED = "miroir_2fa_verified"
CHECKED_AT = "miroir_2fa_checked_at"
PENDING = "miroir_login_pending"
RECOVERY_CODES = "miroir_recovery_codes"
# A phone its owner keeps signed in (signin_services.session_signed_in): until this time
# (seconds since the epoch), with no idle timeout.
REMEMBERED_UNTIL = "miroir_remembered_until"
# How long the second step of a login may wait after the first.
PENDING_SECONDS = 5 * 60


def session_start(session: Any) -> None:
    """Stamp a session that has just logged in with the time of its login."""
    moment = int(twofactor.now())
    session[LOGIN_AT] = moment
    session[SEEN_AT] = moment
    session.pop(CHECKED_AT, None)


def session_mark_verified(session: Any) -> None:
    """Record that this session passed the second factor."""
    session[VERIFIED] = True


def session_is_verified(session: Any) -> bool:
    """Return whether this session passed the second factor."""
    return bool(session.get(VERIFIED))


def pending_login_store(session: Any, *, user_id: int, backend: str, next_url: str) -> None:
    """Keep the first step of a login (password accepted) until the code arrives."""
    session[PENDING] = {
        "user": user_id,
        "backend": backend,
        "next": next_url,
        "at": int(twofactor.now()),
    }


def pending_login(session: Any) -> dict[str, Any] | None:
    """Return the first step of a login still waiting for its code, or None when stale."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if twofactor.now() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    return pending
