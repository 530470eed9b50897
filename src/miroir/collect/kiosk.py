"""Kiosk keys: what lets one device act as the kiosk of one wave and unit.

An administrator or the direction issues a key for (wave, unit, optional moment); it is
an HMAC of them with the site's secret, so nobody can make one for another unit, and
nothing is stored. The tablet opens ``/k/<wave public id>/<unit id>/?key=…`` once: the key moves
into an HttpOnly cookie scoped to that kiosk's path and the address bar loses it. Each
submission then carries the cookie *and* a header derived from the key, which only a
page of this origin can read (docs/collection.md, "Kiosks").
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.utils.crypto import constant_time_compare, salted_hmac

KIOSK_SALT = "miroir.collect.kiosk"
HEADER_SALT = "miroir.collect.kiosk.header"
COOKIE_NAME = "miroir_kiosk"
HEADER_NAME = "X-Miroir-Kiosk"


@dataclass(frozen=True)
class KioskKey:
    """What a valid key grants: answering this wave for this unit, at this moment."""

    public_id: str
    unit_id: int
    moment: str | None


def _tag(public_id: Any, unit_id: int, moment: str) -> str:
    digest = salted_hmac(KIOSK_SALT, f"{public_id}/{int(unit_id)}/{moment}", algorithm="sha256")
    # 128 bits of the HMAC are plenty, and keep the link and its code short.
    return base64.urlsafe_b64encode(digest.digest()[:16]).decode("ascii").rstrip("=")


def kiosk_key_sign(*, public_id: Any, unit_id: int, moment: str | None = None) -> str:
    """Return the kiosk key for the wave's public id, the unit and the moment.

    ``<tag>`` or ``<tag>.<moment>``: the tag is an HMAC of the three with the site's
    secret, so the key says which moment it grants and nobody can change it.
    """
    tag = _tag(public_id, unit_id, moment or "")
    return f"{tag}.{moment}" if moment else tag


def kiosk_key_read(signed: str | None, *, public_id: Any, unit_id: Any) -> KioskKey | None:
    """Return what the key grants if it is genuine and made for this wave and unit."""
    if not signed or len(signed) > 200:
        return None
    tag, _dot, moment = signed.partition(".")
    try:
        expected = _tag(public_id, int(unit_id), moment)
    except (TypeError, ValueError):
        return None
    if not constant_time_compare(tag, expected):
        return None
    return KioskKey(public_id=str(public_id), unit_id=int(unit_id), moment=moment or None)


def kiosk_header_token(signed: str) -> str:
    """Return the value the kiosk page sends in ``X-Miroir-Kiosk`` with each submission."""
    return salted_hmac(HEADER_SALT, signed, algorithm="sha256").hexdigest()


def kiosk_header_valid(signed: str, header: str | None) -> bool:
    return bool(header) and constant_time_compare(kiosk_header_token(signed), header)
