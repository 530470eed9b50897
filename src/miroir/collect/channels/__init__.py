"""The registry of channels: one folder of this package each.

A folder named in ``CHANNEL_MODULES`` holds everything of its channel: its adapter, its
views and, in ``urls.py``, its routes (mounted under the ``collect`` namespace by
``channel_urlpatterns``). An invitation channel, one a wave may list, exposes ``CHANNEL``
in its ``__init__``: an instance of ``miroir.collect.channels.base.Channel``. QR posters
have no ``CHANNEL``: they print a wave's open links, which no one is invited through.
Adding a channel is writing its folder and adding its name to ``CHANNEL_MODULES``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from miroir.collect.channels.base import Channel, ChannelError, respondent_url

CHANNEL_MODULES = ["email", "sms", "link", "kiosk", "posters"]

CHANNELS: dict[str, Channel] = {}
for _name in CHANNEL_MODULES:
    _channel = getattr(import_module(f"{__name__}.{_name}"), "CHANNEL", None)
    if _channel is not None:
        CHANNELS[_channel.code] = _channel


def channel_get(code: str) -> Channel:
    """Return the channel ``code``; KeyError names the known ones."""
    try:
        return CHANNELS[code]
    except KeyError:
        raise KeyError(f"unknown channel {code!r}; known: {', '.join(CHANNELS)}") from None


def channel_choices() -> list[tuple[str, str]]:
    return [(code, str(channel.label)) for code, channel in CHANNELS.items()]


def channel_urlpatterns() -> list[Any]:
    """Return the routes of every channel folder that has a ``urls.py``, in registry order."""
    patterns: list[Any] = []
    for name in CHANNEL_MODULES:
        if find_spec(f"{__name__}.{name}.urls") is not None:
            patterns.extend(import_module(f"{__name__}.{name}.urls").urlpatterns)
    return patterns


__all__ = [
    "CHANNELS",
    "CHANNEL_MODULES",
    "Channel",
    "ChannelError",
    "channel_choices",
    "channel_get",
    "channel_urlpatterns",
    "respondent_url",
]
