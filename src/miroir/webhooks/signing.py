"""Signatures of webhook deliveries: HMAC-SHA256 over ``timestamp + "." + body``.

The header reads ``Miroir-Signature: t=1767225600,v1=<hex digest>``. A receiver recomputes
the digest with the subscription's secret over the timestamp, a dot and the raw body it
received, compares in constant time, and refuses a timestamp too far from its clock
(docs/webhooks.md has a complete receiver).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_MARK = "whsec_"  # noqa: S105 (the public marker of webhook secrets)
SIGNATURE_HEADER = "Miroir-Signature"
# A receiver should refuse older signatures: a captured delivery cannot be replayed later.
TOLERANCE_SECONDS = 300


def secret_new() -> str:
    """Return a new subscription secret: 32 random bytes, URL-safe."""
    return SECRET_MARK + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of ``timestamp.body`` under ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """Return the value of the ``Miroir-Signature`` header."""
    return f"t={int(timestamp)},v1={signature(secret, timestamp, body)}"


def signature_valid(
    secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Return whether ``header`` signs ``body`` under ``secret`` at most ``tolerance`` ago."""
    parts: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
