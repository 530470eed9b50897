"""Where SMS go: the console, a folder of JSON lines, or Twilio's REST API.

``sms_backend()`` returns the backend named by ``COLLECT_SMS_BACKEND``. Each ``send``
returns the provider's message id ("" when there is none) or raises ``SmsError`` with a
short code that carries no phone number and no text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

TWILIO_TIMEOUT_SECONDS = 10


class SmsError(Exception):
    def __init__(self, code: str) -> None:
        self.code = code[:48]
        super().__init__(code)


class ConsoleBackend:
    """Prints each SMS on standard output: the default, for a demo without a provider."""

    def send(self, *, to: str, text: str) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        sys.stdout.write(f"SMS to {to} ({message_id}):\n{text}\n\n")
        sys.stdout.flush()
        return message_id


class FileBackend:
    """Appends each SMS as one JSON line to ``COLLECT_SMS_FILE_DIR/sms.jsonl``."""

    _lock = threading.Lock()

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def path(self) -> Path:
        return self.folder / "sms.jsonl"

    def send(self, *, to: str, text: str) -> str:
        message_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps(
            {"id": message_id, "to": to, "text": text, "at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return message_id

    def messages(self) -> list[dict[str, str]]:
        """Return the messages written so far, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]


class TwilioBackend:
    """Sends through Twilio's Messages resource, asking for delivery reports on our webhook."""

    def __init__(self, *, account_sid: str, auth_token: str, sender: str, api_base: str) -> None:
        if not (account_sid and auth_token and sender):
            raise ImproperlyConfigured(
                "The twilio SMS backend needs MIROIR_TWILIO_ACCOUNT_SID, "
                "MIROIR_TWILIO_AUTH_TOKEN and MIROIR_TWILIO_FROM."
            )
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender
        if not api_base.startswith(("https://", "http://")):
            raise ImproperlyConfigured("MIROIR_TWILIO_API_BASE must be an http(s) URL.")
        self.api_base = api_base.rstrip("/")

    def send(self, *, to: str, text: str) -> str:
        fields = {
            "To": to,
            "Body": text,
            "StatusCallback": settings.SITE_URL + reverse("collect:sms_webhook_twilio"),
        }
        # A Messaging Service SID sends from the service's pool of numbers.
        fields["MessagingServiceSid" if self.sender.startswith("MG") else "From"] = self.sender
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 (the scheme is checked in __init__)
                request, timeout=TWILIO_TIMEOUT_SECONDS
            ) as reply:
                body = json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SmsError(f"twilio_http_{error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise SmsError("twilio_unreachable") from None
        except ValueError:
            raise SmsError("twilio_bad_reply") from None
        if body.get("status") == "failed" or not body.get("sid"):
            raise SmsError(f"twilio_{body.get('error_code') or 'rejected'}")
        return str(body["sid"])


def twilio_signature(*, url: str, params: list[tuple[str, str]], auth_token: str) -> str:
    """Return the ``X-Twilio-Signature`` Twilio computes for a form POST to ``url``.

    As Twilio documents it: the full URL, then every POST parameter sorted by name, each
    name followed by its value, signed with HMAC-SHA1 under the auth token, in base64.
    """
    payload = url + "".join(f"{name}{value}" for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    *, url: str, params: list[tuple[str, str]], auth_token: str, signature: str
) -> bool:
    """Return whether ``signature`` is Twilio's for this request (constant-time compare).

    Twilio signs the URL as it called it, which may or may not spell the port: like its own
    ``RequestValidator``, a signature is accepted for the URL with the port (the scheme's
    default added when absent) or without it. Anything else (path, query, parameters, token)
    must match exactly.
    """
    if not (auth_token and signature):
        return False
    matches = [
        hmac.compare_digest(
            twilio_signature(url=form, params=params, auth_token=auth_token).encode(),
            signature.encode(),
        )
        for form in _url_port_forms(url)
    ]
    return any(matches)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _url_port_forms(url: str) -> list[str]:
    """Return ``url`` as given, with its port spelled out, and without a port."""
    parts = urllib.parse.urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host, port = hostport, ""
    if ":" in hostport and not hostport.endswith("]"):  # "[::1]" is a host without a port
        host, _colon, port = hostport.rpartition(":")
    port = port or str(_DEFAULT_PORTS.get(parts.scheme, ""))
    forms = [url]
    for hostport_form in (f"{host}:{port}" if port else host, host):
        netloc = f"{userinfo}{at}{hostport_form}"
        forms.append(urllib.parse.urlunsplit(parts._replace(netloc=netloc)))
    return list(dict.fromkeys(forms))


def sms_backend() -> ConsoleBackend | FileBackend | TwilioBackend:
    """Return the configured backend (built per call: settings may change in tests)."""
    name = settings.COLLECT_SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "file":
        return FileBackend(settings.COLLECT_SMS_FILE_DIR)
    if name == "twilio":
        return TwilioBackend(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            sender=settings.TWILIO_FROM,
            api_base=settings.TWILIO_API_BASE,
        )
    raise ImproperlyConfigured(
        f"MIROIR_SMS_BACKEND={name!r}: expected 'console', 'file' or 'twilio'."
    )
