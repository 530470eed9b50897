"""Second-factor secrets sealed at rest, with a key that is not in the database.

A TOTP secret lets whoever holds it make valid codes: a copy of the database or of a backup
must not hand them over. ``SealedCharField`` stores the value encrypted and authenticated
(Fernet: AES-128-CBC and HMAC-SHA256, from ``cryptography``) under a key taken from
``MIROIR_TOTP_KEY``, or derived from ``MIROIR_SECRET_KEY`` when that is not set; earlier keys
in ``MIROIR_TOTP_OLD_KEYS`` still open what they sealed. Python code sees the plain value;
the column, and so every backup, holds ``sealed1:<token>``. A value that a missing or wrong
key cannot open reads as "" (no code matches it): the owner re-enrols after an administrator
resets their second factor (docs/security.md, "Second-factor secrets at rest").
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

PREFIX = "sealed1:"


def _fernet(key: str) -> Fernet:
    # Any text makes a key: its SHA-256, under a label of its own, in Fernet's encoding.
    digest = hashlib.sha256(b"miroir.totp-secret\0" + key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    current = settings.MIROIR_TOTP_KEY or settings.SECRET_KEY
    older = settings.MIROIR_TOTP_OLD_KEYS
    return MultiFernet([_fernet(current), *(_fernet(key) for key in older)])


def is_sealed(value: object) -> bool:
    """Return whether ``value`` is a sealed value as the column holds it."""
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(value: str) -> str:
    """Return ``value`` sealed under the current key (already sealed values are kept)."""
    if not value or is_sealed(value):
        return value
    return PREFIX + _keys().encrypt(value.encode("utf-8")).decode("ascii")


def unseal(value: str) -> str:
    """Return the plain value of a sealed one; "" when no key opens it (fails closed)."""
    if not is_sealed(value):
        return value  # a row from before sealing, until its migration ran
    try:
        return _keys().decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        logger.error("A sealed second-factor secret cannot be opened: wrong MIROIR_TOTP_KEY?")
        return ""


class SealedCharField(models.CharField):
    """A text column stored sealed; reads give the plain value, writes seal it."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return unseal(value) if value is not None else None

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return seal(value) if isinstance(value, str) else value
