"""Sending one webhook request: HTTPS to public addresses, no redirects, bounded in time.

Self-hosted Miroir often runs inside a company network, next to services that trust their
neighbours. An administrator (or an integration token) typing a URL must not make Miroir
call them: every address the host name resolves to is checked at each attempt, and the
connection goes to the address that was checked (a second DNS answer cannot swap it for
an internal one). Private, loopback, link-local, multicast and reserved addresses are
refused unless ``MIROIR_WEBHOOKS_ALLOW_PRIVATE`` is on; plain ``http://`` is accepted only
then, and only towards such an address (a receiver on the same network). Redirects are not
followed: a 3xx is a failed delivery.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

USER_AGENT = "Miroir-Webhooks/1"


class TargetRefused(Exception):
    """The URL may not be called (scheme, address); ``reason`` says why, for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ExchangeFailed(OSError):
    """The receiver's answer could not be read (HTTP or TLS); ``reason`` names the failure.

    Only the failure's kind is kept, never its text: that text may quote what the receiver
    sent, and the log is shown on a page.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    duration_ms: int


def _allow_private() -> bool:
    return settings.WEBHOOKS_ALLOW_PRIVATE


def address_is_public(address: str) -> bool:
    """Return whether ``address`` (an IP) is a global unicast address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_problem(url: str) -> str:
    """Return why ``url`` cannot be a webhook target without looking it up ("" if it can)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("Enter a valid URL.")
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return _("Enter an https:// URL.")
    if parts.username or parts.password:
        return _("Put no user name or password in the URL: the signature authenticates Miroir.")
    if port == 0:
        return _("Enter a valid URL.")
    host = parts.hostname
    private = host == "localhost" or host.endswith(".localhost")
    # A name (not an address) is checked when it is resolved, at each delivery.
    with contextlib.suppress(ValueError):
        private = private or not address_is_public(host)
    if private and not _allow_private():
        return _(
            "This address is inside a private network: Miroir only calls public addresses "
            "(see MIROIR_WEBHOOKS_ALLOW_PRIVATE)."
        )
    if parts.scheme == "http" and not (private and _allow_private()):
        return _("Enter an https:// URL.")
    return ""


def _checked_address(host: str, port: int, *, plain_http: bool) -> str:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"cannot resolve {host}") from None
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise TargetRefused(f"cannot resolve {host}")
    private = [address for address in addresses if not address_is_public(address)]
    if private and not _allow_private():
        raise TargetRefused(f"{host} resolves to a private address ({private[0]})")
    if plain_http and len(private) != len(addresses):
        raise TargetRefused(f"plain http to a public address ({host})")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address connected to.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """Return the receiver's answer to ``body`` POSTed to ``url``; ``TargetRefused`` when the
    URL may not be called, ``OSError`` (timeouts included) when the call fails."""
    problem = url_problem(url)
    if problem:
        raise TargetRefused(problem)
    parts = urlsplit(url)
    plain = parts.scheme == "http"
    port = parts.port or (80 if plain else 443)
    host = parts.hostname or ""
    address = _checked_address(host, port, plain_http=plain)
    kind = _PinnedHTTPConnection if plain else _PinnedHTTPSConnection
    connection = kind(host, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        # Read at most a little more than what the log keeps: a receiver cannot make
        # Miroir download a large answer.
        content = response.read(4096)
        status = response.status
    except (http.client.HTTPException, ssl.SSLError) as error:
        raise ExchangeFailed(type(error).__name__) from None
    finally:
        connection.close()
    duration = int((time.monotonic() - started) * 1000)
    return Answer(status=status, body=content, duration_ms=duration)
