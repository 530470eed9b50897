"""Secrets of the collection: invitation tokens, submission ids and contact digests.

Only digests are stored. A token carries 256 random bits (``secrets.token_urlsafe(32)``,
43 characters); its SHA-256 finds the invitation, so a copy of the database gives no
working link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
SUBMISSION_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
E164_PATTERN = re.compile(r"\+[1-9][0-9]{6,14}")


def token_new() -> str:
    """Return a fresh invitation token, to be sent and never stored."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Return the hex SHA-256 under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_looks_valid(token: str) -> bool:
    """Return whether ``token`` has the shape of one we issue (skips a lookup otherwise)."""
    return bool(TOKEN_PATTERN.fullmatch(token))


def submission_id_new() -> str:
    """Return a random id for one respondent form, so that its retries are recognised."""
    return secrets.token_urlsafe(18)


def submission_id_valid(submission_id: str) -> bool:
    return bool(SUBMISSION_ID_PATTERN.fullmatch(submission_id or ""))


def submission_hash(submission_id: str) -> str:
    return hashlib.sha256(f"submission:{submission_id}".encode()).hexdigest()


def contact_normalise(*, email: str | None = None, phone: str | None = None) -> str:
    """Return the canonical form of an address: lower-case e-mail, or the E.164 phone."""
    if email:
        return "email:" + email.strip().lower()
    if phone:
        phone = phone.strip()
        if E164_PATTERN.fullmatch(phone):
            # Already canonical (what the intake stores): spare the parse.
            return "phone:" + phone
        from miroir.collect.phones import phone_canonical

        return "phone:" + phone_canonical(phone)
    return ""


def contact_hash(*, email: str | None = None, phone: str | None = None) -> str:
    """Return the keyed digest an opt-out is kept under ("" when there is no address).

    Keyed (HMAC-SHA-256 under ``COLLECT_CONTACT_KEY``): phone numbers are few enough that a
    plain digest would be reversed by trying them all.
    """
    normalised = contact_normalise(email=email, phone=phone)
    if not normalised:
        return ""
    return contact_digester()(normalised)


def contact_digester() -> Callable[[str], str]:
    """Return the function giving the keyed digest of a normalised address ("phone:+33…").

    Bulk intake takes it once, rather than reading the key for each of a million rows.
    """
    from django.conf import settings

    key = (settings.COLLECT_CONTACT_KEY or settings.SECRET_KEY).encode()

    def digest(normalised: str) -> str:
        return hmac.digest(key, normalised.encode("utf-8"), "sha256").hex()

    return digest


def draft_key(secret: str) -> str:
    """Return the key under which a respondent's browser keeps their unfinished answers.

    Derived one way from the link, so the browser's storage never holds the token.
    """
    return hashlib.sha256(f"draft:{secret}".encode()).hexdigest()[:24]


_UNSUBSCRIBE_SALT = "miroir.collect.unsubscribe"


def unsubscribe_sign(contact: str) -> str:
    """Return the signed value of an unsubscribe link for the contact digest ``contact``.

    Signed rather than stored: the link keeps working for ever, even once the
    invitation that carried it has been purged.
    """
    from django.core import signing

    return signing.dumps(contact, salt=_UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_read(signed: str) -> str | None:
    """Return the contact digest of a signed unsubscribe value, or None if forged."""
    from django.core import signing

    try:
        value = signing.loads(signed, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) else None
