"""A small OpenID provider for the tests, served by a thread on 127.0.0.1.

It publishes a discovery document and its keys (JWKS), signs people in at its authorization
endpoint without asking anything (the test says who signs in next), and at its token endpoint
checks the client's secret, the code (once), the redirect address and the PKCE verifier before
issuing an ID token signed RS256 with a real RSA key. Knobs let a test make it misbehave: sign
with another key, put other claims in the token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.test import Client
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "miroir-tests"
CLIENT_SECRET = "provider-secret-for-tests"
KEY_ID = "test-key-1"


@dataclass
class LocalProvider:
    """The provider's state: its key, who signs in next, the codes it issued, what it saw."""

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": KEY_ID}))
    # Claims of the next person to sign in (email, email_verified, amr, acr…).
    person: dict[str, Any] = field(default_factory=dict)
    # Claims put over the ID token's at the end (a wrong nonce, another audience…).
    tamper: dict[str, Any] = field(default_factory=dict)
    # A key that signs instead of the published one (a forged token).
    signing_key: RSAKey | None = None
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""

    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Return the provider's entry of MIROIR_OIDC_PROVIDERS, as settings.py builds it."""
        return {
            "name": "Keycloak de test",
            "discovery_url": self.discovery_url(),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": ["openid", "email", "profile"],
            "email_claim": "email",
            "trust_email": False,
            "mfa": False,
            "mfa_amr": [],
            "mfa_acr": [],
            "acr_values": "",
            **overrides,
        }

    # --- the endpoints --------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.base_url,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": f"{self.base_url}/token",
            "jwks_uri": f"{self.base_url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Return where the browser goes next: back to the client with a code and the state."""
        self.authorize_requests.append(query)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "person": dict(self.person)}
        answer = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(answer)}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """Return the status and body of the token endpoint's answer."""
        self.token_requests.append(form)
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        issued = self.codes.pop(form.get("code", ""), None)
        if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if issued.get("code_challenge_method") != "S256" or (
            challenge.decode() != issued.get("code_challenge")
        ):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        moment = int(time.time())
        claims = {
            "iss": self.base_url,
            "sub": issued["person"].get("email", "someone"),
            "aud": CLIENT_ID,
            "iat": moment,
            "exp": moment + 300,
            "nonce": issued.get("nonce"),
            **issued["person"],
            **self.tamper,
        }
        header = {"alg": "RS256", "kid": KEY_ID}
        id_token = jwt.encode(header, claims, self.signing_key or self.key)
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


def _handler(provider: LocalProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.metadata())
            elif url.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            self._json(*provider.token(form, self.headers.get("Authorization", "")))

    return Handler


class ProviderServer:
    """Serve ``provider`` on a free port of 127.0.0.1 until ``stop``."""

    def __init__(self, provider: LocalProvider) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
        provider.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def at_provider(client: Client, key: str = "test", *, next_url: str = "") -> str:
    """Return the address the provider sends the browser back to, after the button is pressed.

    Like a browser: the login page's button, the redirect to the provider, its redirect back.
    """
    start = reverse("accounts:sso_start", args=[key])
    answer = client.get(start, {"next": next_url} if next_url else {})
    assert answer.status_code == 302, answer.status_code
    back = requests.get(answer["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    url = urlsplit(back.headers["Location"])
    return f"{url.path}?{url.query}"


def sign_in(client: Client, key: str = "test", *, next_url: str = ""):
    """Return Miroir's answer to the provider's redirect back, after a sign-in there."""
    return client.get(at_provider(client, key, next_url=next_url))
