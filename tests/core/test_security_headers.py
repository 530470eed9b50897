"""Every page carries the strict Content-Security-Policy."""

from __future__ import annotations

import re

import pytest

from miroir.core.middleware import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/api/v1/openapi.json", "/api/v1/docs", "/no-such-page/"]
)
def test_pages_carry_the_strict_policy(client, db, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_no_page_template_holds_an_inline_script_or_style():
    from pathlib import Path

    import miroir

    templates = Path(miroir.__file__).parent / "templates"
    for path in templates.rglob("*.html"):
        if "/email/" in str(path) or path.name.endswith("-body.html"):
            continue  # e-mails are read in mail clients, not under our policy
        text = path.read_text(encoding="utf-8")
        # A script element runs inline unless it loads a file or only carries JSON data.
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text)
        assert inline == [] and "<style" not in text, path
        assert ' style="' not in text, path
        assert " onclick=" not in text and " onload=" not in text, path
