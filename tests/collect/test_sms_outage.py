"""The SMS webhook during a database outage: a 503 the provider retries, then taken once."""

from __future__ import annotations

from django.db import OperationalError
from django.test import Client

from miroir.collect import services
from miroir.collect.models import ContactOptOut, ProviderEvent
from tests.collect.test_sms import _hook, _stop, _twilio  # noqa: F401 (the fixture is used)


def test_a_stop_sent_during_an_outage_is_taken_once_when_the_provider_retries(db, monkeypatch):
    client = Client(raise_request_exception=False)
    claim = services.provider_event_claim

    def down(**kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(services, "provider_event_claim", down)
    refused = _hook(client, _stop())
    assert refused.status_code == 503
    assert refused["Retry-After"].isdigit()
    assert ContactOptOut.objects.count() == 0

    monkeypatch.setattr(services, "provider_event_claim", claim)
    # The provider retries the same message (same MessageSid) until it gets a 2xx, and may
    # send it once more after that: one opt-out, one event.
    assert _hook(client, _stop()).status_code == 200
    assert _hook(client, _stop()).status_code == 200
    assert ContactOptOut.objects.count() == 1
    assert ProviderEvent.objects.count() == 1


def test_an_unsigned_call_is_refused_even_during_an_outage(db, monkeypatch):
    def down(**kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(services, "provider_event_claim", down)
    client = Client(raise_request_exception=False)
    assert _hook(client, _stop(), signature="").status_code == 403
