"""The arithmetic of the second factor: TOTP codes (RFC 6238, through pyotp), recovery codes.

Nothing here touches the database; services.py stores what this computes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno

ISSUER = "Miroir"
STEP_SECONDS = 30
DIGITS = 6
# A code of the step before or after the current one is accepted too: phone clocks drift and
# people type slowly.
TOLERANCE_STEPS = 1
RECOVERY_CODE_COUNT = 10
# No 0/O, 1/l/I: recovery codes are copied by hand from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12  # about 59 bits each


def now() -> float:
    """Return the current time in seconds (tests move it)."""
    return time.time()


def new_secret() -> str:
    """Return a new random TOTP secret in base32 (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account: str) -> str:
    """Return the ``otpauth://`` address that authenticator apps read from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def qr_svg(uri: str, *, title: str) -> str:
    """Return the QR code of ``uri`` as an inline SVG element (no style attribute: CSP)."""
    return segno.make(uri, error="m").svg_inline(scale=5, light="#fff", title=title)


def grouped(secret: str) -> str:
    """Return the secret in groups of four characters, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_step(at: float | None = None) -> int:
    """Return the TOTP time step of the moment ``at`` (now by default)."""
    return int((now() if at is None else at) // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    """Return the code an authenticator shows during ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(step * STEP_SECONDS)


def matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """Return the time step whose code is ``code``, within the tolerance, or None.

    An empty secret (a sealed one no key opens: accounts/sealed.py) matches nothing.
    """
    if not secret:
        return None
    code = "".join(code.split())
    # isdigit() alone takes "١٢٣٤٥٦" (Arabic-Indic digits), which compare_digest refuses.
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    step = current_step(at)
    found = None
    # Compare against every candidate, so the time taken does not say which one matched.
    for candidate in range(step - TOLERANCE_STEPS, step + TOLERANCE_STEPS + 1):
        if hmac.compare_digest(code_at_step(secret, candidate), code):
            found = candidate
    return found


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Return fresh recovery codes, as shown to the person (``abcd-efgh-jkmn``)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def recovery_code_hash(code: str) -> str:
    """Return the stored form of a recovery code: SHA-256 of it without dashes or case.

    The codes are random and long, so a fast hash is enough: there is no dictionary to try.
    """
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode("ascii", "ignore")).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    """Return whether ``code`` has the shape of a recovery code rather than a TOTP code."""
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return len(normalized) == _RECOVERY_LENGTH
