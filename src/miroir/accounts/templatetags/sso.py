"""The login page's "Log in with <provider>" buttons, one per provider configured."""

from __future__ import annotations

from typing import Any

from django import template

from miroir.accounts import sso

register = template.Library()


@register.inclusion_tag("accounts/_sso_buttons.html")
def sso_buttons(next_url: str = "") -> dict[str, Any]:
    """Return the providers to offer, and where to go once signed in."""
    return {"providers": sso.providers(), "next": next_url}
