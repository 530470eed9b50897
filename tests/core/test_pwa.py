"""Miroir installs on a phone's home screen: a manifest with its icons, a service worker that
keeps only the offline page and static files, and an offline page with nothing personal."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

STATIC = Path(settings.STATICFILES_DIRS[0])


def test_the_manifest_describes_an_installable_app(client):
    response = client.get(reverse("core:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["theme_color"] == "#1d4e5f"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        path = STATIC / icon["src"].removeprefix(settings.STATIC_URL)
        head = path.read_bytes()[:24]
        # A PNG: its signature, then the IHDR chunk with the width and height (big-endian).
        assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


def test_every_page_links_the_manifest_and_the_worker(client, personas):
    client.force_login(personas.employee)
    html = client.get(reverse("core:home")).content.decode()
    assert f'rel="manifest" href="{reverse("core:manifest")}"' in html
    assert f'data-worker="{reverse("core:service_worker")}"' in html


def test_the_worker_caches_only_the_offline_page_and_static_files(client):
    response = client.get(reverse("core:service_worker"))
    assert response["Content-Type"].startswith("text/javascript")
    script = response.content.decode()
    assert f'const OFFLINE_URL = "{reverse("core:offline")}"' in script
    assert "cache.put" in script
    # The one put into the cache is under the static prefix; pages only fall back.
    before_put = script[: script.index("cache.put")]
    assert "url.pathname.startsWith(STATIC_PREFIX)" in before_put
    assert 'credentials: "omit"' in script


def test_the_offline_page_is_the_same_for_everyone(client, personas):
    anonymous = Client().get(reverse("core:offline")).content.decode()
    client.force_login(personas.employee)
    signed_in = client.get(reverse("core:offline")).content.decode()
    assert personas.employee.email not in signed_in
    strip = lambda html: html.replace("csrf", "")  # noqa: E731
    assert strip(anonymous) == strip(signed_in)
