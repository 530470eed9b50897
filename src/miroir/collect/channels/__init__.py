"""The registry of invitation channels.

Each channel is a module of this package exposing ``CHANNEL``, an instance of
``miroir.collect.channels.base.Channel``. Adding a channel (``sms``, ``qr``, ``kiosk``…)
is writing ``<code>.py`` and adding its name to ``CHANNEL_MODULES``.
"""

from __future__ import annotations

from importlib import import_module

from miroir.collect.channels.base import Channel, ChannelError, respondent_url

CHANNEL_MODULES = ["email", "sms", "link", "kiosk"]

CHANNELS: dict[str, Channel] = {}
for _name in CHANNEL_MODULES:
    _channel = import_module(f"{__name__}.{_name}").CHANNEL
    CHANNELS[_channel.code] = _channel


def channel_get(code: str) -> Channel:
    """Return the channel ``code``; KeyError names the known ones."""
    try:
        return CHANNELS[code]
    except KeyError:
        raise KeyError(f"unknown channel {code!r}; known: {', '.join(CHANNELS)}") from None


def channel_choices() -> list[tuple[str, str]]:
    return [(code, str(channel.label)) for code, channel in CHANNELS.items()]


__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelError",
    "channel_choices",
    "channel_get",
    "respondent_url",
]
