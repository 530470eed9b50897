"""The voices feed the results' listening symmetry through its registry, at start-up."""

from __future__ import annotations

import sys
import types

from miroir.voices import hooks
from miroir.voices.selectors import voices_listening, voices_listening_by_unit


def test_the_listening_function_is_registered_with_the_results(monkeypatch):
    registered = []
    fake = types.ModuleType("miroir.results.listening")
    fake.register_voice_source = lambda fn, **kwargs: registered.append((fn, kwargs))
    monkeypatch.setitem(sys.modules, "miroir.results.listening", fake)
    hooks._register_listening()
    assert registered == [(voices_listening, {"every_unit": voices_listening_by_unit})]
