"""Kiosk keys: what lets one device act as the kiosk of one wave and unit.

An administrator or the direction issues a kiosk (``services.kiosk_issue``): a random key
of which only the SHA-256 is stored (``models.Kiosk``), revocable one by one. The key
never travels in a URL's path or query: the link opened once on the tablet carries it
after ``#`` (browsers send no fragment to the server, so no proxy logs it); the setup
page's script posts it in a request body, the answer stores it in an HttpOnly cookie
scoped to that kiosk's path, and the script removes it from the address bar. Each
submission then carries the cookie *and* a header derived from the key, which only a page
of this origin can read (docs/collection.md, "Kiosks").
"""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac

HEADER_SALT = "miroir.collect.kiosk.header"
COOKIE_NAME = "miroir_kiosk"
HEADER_NAME = "X-Miroir-Kiosk"
# The name of the key in the link's fragment: ``/k/<wave>/<unit>/#key=…``.
FRAGMENT_NAME = "key"


def kiosk_header_token(key: str) -> str:
    """Return the value the kiosk page sends in ``X-Miroir-Kiosk`` with each submission."""
    return salted_hmac(HEADER_SALT, key, algorithm="sha256").hexdigest()


def kiosk_header_valid(key: str, header: str | None) -> bool:
    return bool(header) and constant_time_compare(kiosk_header_token(key), header)
