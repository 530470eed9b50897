"""Single sign-on through OpenID Connect: the providers set up in settings, the two ends of the
flow (sending the person to the provider, reading back who they are) and what the ID token says
about their second factor.

Authlib's Django client speaks the protocol: discovery (``.well-known/openid-configuration``),
the authorization code flow with PKCE (S256), ``state`` and ``nonce`` kept in the session and
checked on the way back, and the ID token's signature checked against the keys the provider
publishes (JWKS), with its issuer, audience, expiry and nonce. Nothing here touches the
database: ``views.py`` matches the e-mail address to a login, ``services.py`` writes the audit.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from joserfc.errors import JoseError

logger = logging.getLogger(__name__)

# Where the login page asked to go, kept in the session while the person is at the provider.
NEXT = "miroir_sso_next"
# Seconds to wait for the provider's discovery document, keys and token endpoint.
TIMEOUT_SECONDS = 10

# Why a sign-in through a provider was refused: a stable code (audit) and what the person reads.
CANCELLED = "cancelled"
UNREACHABLE = "unreachable"
STATE = "state"
TOKEN = "token"  # noqa: S105  (a refusal code, not a secret)
NO_EMAIL = "no_email"
UNVERIFIED = "email_unverified"
UNKNOWN = "unknown_account"
DISABLED = "disabled"
REFUSALS: dict[str, Any] = {
    CANCELLED: _("The sign-in was cancelled or refused at the provider."),
    UNREACHABLE: _("The sign-in provider cannot be reached right now. Try again in a moment."),
    STATE: _(
        "This sign-in answer does not belong to this browser, or it was already used. "
        "Start again from the login page."
    ),
    TOKEN: _(
        "The provider's answer could not be verified, so it was not trusted. Start again "
        "from the login page; if it happens again, tell your administrator."
    ),
    NO_EMAIL: _("The provider did not give an e-mail address, which Miroir needs to find you."),
    UNVERIFIED: _(
        "The provider does not vouch for the e-mail address %(email)s: it was not verified. "
        "Ask your administrator."
    ),
    UNKNOWN: _(
        "No Miroir login has the e-mail address %(email)s. Logins come from the organisation's "
        "list of collaborators: ask your administrator to check the address given there."
    ),
    DISABLED: _(
        "The Miroir login of %(email)s is disabled. Ask your administrator if this is a mistake."
    ),
}


class SsoRefused(Exception):
    """A sign-in through a provider that must not go on; ``reason`` is one of ``REFUSALS``."""

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email

    @property
    def message(self) -> str:
        return str(REFUSALS[self.reason]) % {"email": self.email}


@dataclass(frozen=True)
class Provider:
    """An OpenID Connect provider as configured (MIROIR_OIDC_<KEY>_*, docs/configuration.md)."""

    key: str
    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    email_claim: str
    trust_email: bool
    mfa: bool
    mfa_amr: tuple[str, ...]
    mfa_acr: tuple[str, ...]
    acr_values: str


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: their address, and whether it vouches for a 2nd factor."""

    email: str
    mfa: bool


def providers() -> list[Provider]:
    """Return the providers configured, in the order of MIROIR_OIDC_PROVIDERS."""
    found = []
    for key, config in settings.MIROIR_OIDC_PROVIDERS.items():
        found.append(
            Provider(
                key=key,
                name=str(config["name"]),
                discovery_url=str(config["discovery_url"]),
                client_id=str(config["client_id"]),
                client_secret=str(config["client_secret"]),
                scopes=tuple(config["scopes"]),
                email_claim=str(config["email_claim"]),
                trust_email=bool(config["trust_email"]),
                mfa=bool(config["mfa"]),
                mfa_amr=tuple(config["mfa_amr"]),
                mfa_acr=tuple(config["mfa_acr"]),
                acr_values=str(config["acr_values"]),
            )
        )
    return found


def provider_get(key: str) -> Provider | None:
    """Return the provider configured under ``key``, or None."""
    return next((provider for provider in providers() if provider.key == key), None)


# One Authlib client per provider's settings: it keeps the discovery document and the keys it
# fetched, so that each sign-in does not fetch them again (new keys are fetched when a token is
# signed by a key id not seen yet).
_clients: dict[Provider, Any] = {}
_clients_lock = threading.Lock()


def _client(provider: Provider) -> Any:
    with _clients_lock:
        client = _clients.get(provider)
        if client is None:
            client = OAuth().register(
                name=f"miroir_{provider.key}",
                server_metadata_url=provider.discovery_url,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                client_kwargs={
                    "scope": " ".join(provider.scopes),
                    "code_challenge_method": "S256",
                    "default_timeout": TIMEOUT_SECONDS,
                },
            )
            _clients[provider] = client
    return client


def callback_url(provider: Provider) -> str:
    """Return the address the provider sends the person back to (to register there)."""
    return settings.SITE_URL + reverse("accounts:sso_callback", args=[provider.key])


def provider_redirect(request: HttpRequest, provider: Provider) -> HttpResponse:
    """Return the redirect to the provider's sign-in page, with state, nonce and PKCE kept."""
    extra = {"acr_values": provider.acr_values} if provider.acr_values else {}
    try:
        return _client(provider).authorize_redirect(request, callback_url(provider), **extra)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        logger.warning("Provider %s unreachable: %s", provider.key, error)
        raise SsoRefused(UNREACHABLE) from error


def identity_read(request: HttpRequest, provider: Provider) -> Identity:
    """Return who signed in, from the provider's answer; raise ``SsoRefused`` otherwise.

    The code is exchanged for tokens with the PKCE verifier; the ID token must carry a valid
    signature from the provider's keys, its issuer, this client as audience, the nonce sent,
    and an e-mail address the provider says it verified (or one it is trusted for).
    """
    if request.GET.get("error"):
        raise SsoRefused(CANCELLED)
    try:
        token = _client(provider).authorize_access_token(request)
    except MismatchingStateError as error:
        raise SsoRefused(STATE) from error
    except requests.RequestException as error:
        logger.warning("Provider %s unreachable: %s", provider.key, error)
        raise SsoRefused(UNREACHABLE) from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError) as error:
        logger.warning("Sign-in answer of %s refused: %r", provider.key, error)
        raise SsoRefused(TOKEN) from error
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused(TOKEN)
    email = claims.get(provider.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused(NO_EMAIL)
    email = email.strip().lower()
    # Some providers send the claim as a string.
    if claims.get("email_verified") not in (True, "true") and not provider.trust_email:
        raise SsoRefused(UNVERIFIED, email)
    return Identity(email=email, mfa=mfa_vouched(provider, claims))


def mfa_vouched(provider: Provider, claims: Any) -> bool:
    """Return whether the provider vouches that this sign-in passed a second factor.

    Only for a provider configured as enforcing one (MIROIR_OIDC_<KEY>_MFA); when MFA_AMR or
    MFA_ACR are set, the ID token must also say so (one of those ``amr`` methods, or that
    ``acr`` level). Otherwise Miroir's own second factor still applies.
    """
    if not provider.mfa:
        return False
    if provider.mfa_amr:
        methods = claims.get("amr")
        methods = methods if isinstance(methods, list) else []
        if not set(provider.mfa_amr) & {str(method) for method in methods}:
            return False
    return not provider.mfa_acr or str(claims.get("acr", "")) in provider.mfa_acr
