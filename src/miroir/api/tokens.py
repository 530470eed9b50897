"""What an integration token looks like and how it is kept: a marked secret, stored hashed."""

from __future__ import annotations

import hashlib

TOKEN_MARK = "mir_"  # noqa: S105 (the public marker of Miroir tokens)


def token_digest(secret: str) -> str:
    """Return the stored form of a token secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
