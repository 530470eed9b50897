"""With production settings (https site, DEBUG off), cookies are secure and HSTS is sent.

Each test starts a fresh interpreter with the environment a production install sets, so the
settings module is read as it is in production (docs/configuration.md, docs/security.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PRODUCTION = {
    "MIROIR_DATABASE_URL": "postgres://miroir@127.0.0.1/miroir",
    "MIROIR_SECRET_KEY": "p" * 20 + "-Zq8#xv!" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
    "MIROIR_SITE_URL": "https://miroir.example.com",
    "MIROIR_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}

# Sets up Django as a production process does, with a test client on the site's host.
CLIENT = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from urllib.parse import urlsplit
host = urlsplit(s.SITE_URL).netloc
client = Client()
"""

# Prints the security settings, then what the login page (which needs no database) answers
# over plain HTTP, over HTTPS, and over HTTP forwarded by a TLS proxy.
PROBE = (
    CLIENT
    + """
plain = client.get("/accounts/login/", HTTP_HOST=host)
secure = client.get("/accounts/login/", HTTP_HOST=host, secure=True)
proxied = client.get("/accounts/login/", HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "plain": [plain.status_code, plain.get("Location", "")],
    "secure": [secure.status_code, secure.get("Strict-Transport-Security", ""),
               secure.cookies["csrftoken"]["secure"] if "csrftoken" in secure.cookies else None],
    "proxied": [proxied.status_code, proxied.get("Location", "")],
}))
"""
)


def _run(env: dict[str, str], code: str, tmp_path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MIROIR_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(env, MIROIR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="miroir.settings")
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )


def _probe(env: dict[str, str], tmp_path) -> dict:
    result = _run(env, PROBE, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_https_site_gets_secure_cookies_hsts_and_the_https_redirect(tmp_path):
    seen = _probe(PRODUCTION, tmp_path)
    assert seen["DEBUG"] is False
    assert seen["SESSION_COOKIE_SECURE"] and seen["CSRF_COOKIE_SECURE"]
    assert seen["SESSION_COOKIE_HTTPONLY"]
    assert seen["SECURE_HSTS_SECONDS"] >= 31536000
    assert seen["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert seen["SECURE_SSL_REDIRECT"]
    assert seen["plain"] == [301, "https://miroir.example.com/accounts/login/"]
    status, hsts, csrf_cookie_secure = seen["secure"]
    assert status == 200
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert csrf_cookie_secure is True
    # Not behind a proxy, a forged X-Forwarded-Proto header is not believed.
    assert seen["SECURE_PROXY_SSL_HEADER"] is None
    assert seen["proxied"][0] == 301


def test_behind_a_tls_proxy_the_forwarded_protocol_is_trusted(tmp_path):
    seen = _probe({**PRODUCTION, "MIROIR_BEHIND_PROXY": "true"}, tmp_path)
    assert seen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["proxied"] == [200, ""]
    assert seen["plain"][0] == 301


def test_a_plain_http_site_keeps_cookies_usable_without_tls(tmp_path):
    # The demo and a local install: a Secure cookie would never come back over HTTP.
    seen = _probe({**PRODUCTION, "MIROIR_SITE_URL": "http://localhost:8000"}, tmp_path)
    assert not seen["SESSION_COOKIE_SECURE"] and not seen["CSRF_COOKIE_SECURE"]
    assert seen["SECURE_HSTS_SECONDS"] == 0
    assert seen["plain"][0] == 200


def test_check_deploy_reports_nothing_behind_a_proxy(tmp_path):
    result = _run(
        {**PRODUCTION, "MIROIR_BEHIND_PROXY": "true"},
        "from miroir.cli import main; main(['check', '--deploy', '--fail-level', 'WARNING'])",
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_postgresql_connections_turn_the_planner_s_jit_off_unless_asked() -> None:
    import os
    import subprocess
    import sys

    probe = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    )
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miroir.settings",
        "MIROIR_DATABASE_URL": "postgres://miroir@127.0.0.1:5432/miroir",
        "MIROIR_SECRET_KEY": "probe-" + "x" * 50,
    }
    base.pop("MIROIR_DATABASE_JIT", None)
    off = subprocess.run([sys.executable, "-c", probe], env=base, capture_output=True, text=True)
    on = subprocess.run(
        [sys.executable, "-c", probe],
        env={**base, "MIROIR_DATABASE_JIT": "true"},
        capture_output=True,
        text=True,
    )
    assert off.stdout.strip() == "-c jit=off", off.stderr
    assert on.stdout.strip() == "", on.stderr


# A load balancer's probe: plain HTTP, inside the network, no proxy header.
HEALTH_PROBE = (
    CLIENT
    + """
health = client.get("/healthz", HTTP_HOST=host)
slashed = client.get("/healthz/", HTTP_HOST=host)
page = client.get("/accounts/login/", HTTP_HOST=host)
print(json.dumps({
    "health": [health.status_code, health.get("Location", ""), health.content.decode(),
               sorted(health.cookies)],
    "slashed": [slashed.status_code, slashed.get("Location", "")],
    "page": [page.status_code, page.get("Location", "")],
}))
"""
)


def test_healthz_answers_plain_http_in_production_while_pages_still_redirect(tmp_path):
    # The probe runs `SELECT 1`: it needs the database the tests run on.
    database = os.environ["MIROIR_DATABASE_URL"]
    result = _run({**PRODUCTION, "MIROIR_DATABASE_URL": database}, HEALTH_PROBE, tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    status, location, body, cookies = seen["health"]
    assert (status, location) == (200, "")
    assert json.loads(body) == {"status": "ok"}
    assert cookies == []
    # Only that exact path is exempt: anything else still goes to https.
    assert seen["slashed"] == [301, "https://miroir.example.com/healthz/"]
    assert seen["page"] == [301, "https://miroir.example.com/accounts/login/"]
