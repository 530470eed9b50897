from __future__ import annotations

from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "miroir.instruments"
    label = "instruments"
