"""The voices feed the analytics' listening symmetry when it is installed, and only then."""

from __future__ import annotations

import sys
import types

from miroir.voices import hooks
from miroir.voices.selectors import voices_listening, voices_listening_by_unit


def test_the_listening_function_is_registered_when_the_results_module_exists(monkeypatch):
    registered = []
    fake = types.ModuleType("miroir.results.listening")
    fake.register_voice_source = lambda fn, **kwargs: registered.append((fn, kwargs))
    monkeypatch.setitem(sys.modules, "miroir.results.listening", fake)
    hooks._register_listening()
    assert registered == [(voices_listening, {"every_unit": voices_listening_by_unit})]


def test_nothing_breaks_without_the_results_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "miroir.results.listening", None)
    hooks._register_listening()
