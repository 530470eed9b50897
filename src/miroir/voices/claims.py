"""Claim codes: what lets the author of an anonymous voice come back to it, and nobody else.

The code is shown once to its author; only a keyed digest of it is stored
(``Voice.claim_digest``, under ``VOICES_CLAIM_KEY``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

# 16 characters out of 32 unambiguous ones: 80 bits, printed in four groups of four.
CLAIM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CLAIM_LENGTH = 16


def claim_code_new() -> str:
    """Return a fresh claim code, e.g. ``K7QM-2XPA-9TRE-HV4C``."""
    raw = "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(CLAIM_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CLAIM_LENGTH, 4))


def claim_code_normalise(code: str) -> str:
    """Return the code as typed, upper-cased without spaces or dashes (O read as 0 and so on)."""
    cleaned = "".join(char for char in code.upper() if char.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1"}))


def claim_digest(code: str) -> str:
    """Return the keyed digest under which a claim code is kept (never the code itself)."""
    key = settings.VOICES_CLAIM_KEY.encode()
    return hmac.new(key, claim_code_normalise(code).encode(), hashlib.sha256).hexdigest()
