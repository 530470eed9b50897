"""Template filters of collection: channel codes in words."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from miroir.collect.channels import CHANNELS

register = template.Library()


@register.filter
def channel_label(code: str) -> str:
    """Return a channel's name in the current language ("e-mail", "lien"), or the code."""
    channel = CHANNELS.get(code)
    return str(channel.label) if channel is not None else code


@register.filter
def channel_labels(codes: Iterable[str]) -> str:
    """Return channel codes as their names, joined by commas ("—" when there is none)."""
    return ", ".join(channel_label(code) for code in codes) or "—"
