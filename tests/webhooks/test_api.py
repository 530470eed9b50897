"""``/api/v1/webhooks``: tokens manage the webhooks of their scope; sessions only read."""

from __future__ import annotations

import json

import pytest

from miroir.api.services import api_token_create
from miroir.audit.models import AuditEntry
from miroir.webhooks.models import Delivery, Subscription

BODY = {
    "name": "Ticketing Lille",
    "url": "https://hooks.example.com/miroir",
    "events": ["complaint.received", "voice.answered"],
    "unit": "U-LILLE",
}


@pytest.fixture
def tokens(personas):
    _lille, lille = api_token_create(name="Lille", scope_unit=personas.lille, actor=personas.admin)
    _sud, sud = api_token_create(name="Sud", scope_unit=personas.sud, actor=personas.admin)
    _all, network = api_token_create(name="Réseau", scope_unit=None, actor=personas.admin)
    return {"lille": lille, "sud": sud, "network": network}


def _call(client, method, path, token=None, body=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.generic(
        method,
        f"/api/v1/webhooks{path}",
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def test_a_token_creates_a_webhook_and_sees_its_secret_once(client, tokens):
    created = _call(client, "POST", "", tokens["lille"], BODY)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["secret"].startswith("whsec_")
    assert data["events"] == ["voice.answered", "complaint.received"]  # registry order
    assert data["active"] is True
    subscription = Subscription.objects.get(pk=data["id"])
    assert subscription.secret == data["secret"]
    entry = AuditEntry.objects.get(action="webhook.create")
    assert entry.actor_label.startswith("Lille (")

    detail = _call(client, "GET", f"/{data['id']}", tokens["lille"])
    assert detail.status_code == 200
    assert "secret" not in detail.json()
    listed = _call(client, "GET", "", tokens["lille"]).json()
    assert [item["id"] for item in listed] == [data["id"]]
    assert all("secret" not in item for item in listed)


def test_a_token_cannot_reach_or_create_webhooks_outside_its_scope(client, tokens):
    data = _call(client, "POST", "", tokens["lille"], BODY).json()
    assert _call(client, "GET", "", tokens["sud"]).json() == []
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/test")):
        body = {"active": False} if method == "PATCH" else None
        answer = _call(client, method, f"/{data['id']}{path}", tokens["sud"], body)
        assert answer.status_code == 404, (method, path)
    refused = _call(client, "POST", "", tokens["sud"], BODY)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "unit"
    # A unit-scoped token cannot listen to the whole network.
    whole = _call(client, "POST", "", tokens["lille"], {**BODY, "unit": None})
    assert whole.status_code == 422
    assert Subscription.objects.count() == 1


def test_bad_input_names_the_field_and_stores_nothing(client, tokens, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    cases = {
        "url": {**BODY, "url": "https://169.254.169.254/latest"},
        "events": {**BODY, "events": ["voice.deleted"]},
        "name": {**BODY, "name": "  "},
    }
    for field, body in cases.items():
        answer = _call(client, "POST", "", tokens["network"], body)
        assert answer.status_code == 422, field
        assert answer.json()["code"] == "webhooks.invalid"
        assert {problem["field"] for problem in answer.json()["errors"]} == {field}
    plain = _call(
        client, "POST", "", tokens["network"], {**BODY, "url": "http://hooks.example.com"}
    )
    assert plain.status_code == 422
    assert not Subscription.objects.exists()


def test_a_token_turns_a_webhook_off_changes_it_and_deletes_it(client, tokens):
    data = _call(client, "POST", "", tokens["lille"], BODY).json()
    off = _call(client, "PATCH", f"/{data['id']}", tokens["lille"], {"active": False})
    assert off.status_code == 200
    assert off.json()["active"] is False and off.json()["disabled_reason"] == "manual"
    renamed = _call(client, "PATCH", f"/{data['id']}", tokens["lille"], {"name": "CRM"})
    assert renamed.json()["name"] == "CRM"
    bad = _call(client, "PATCH", f"/{data['id']}", tokens["lille"], {"events": []})
    assert bad.status_code == 422
    assert Subscription.objects.get().events == data["events"]
    assert _call(client, "DELETE", f"/{data['id']}", tokens["lille"]).status_code == 204
    assert not Subscription.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"webhook.create", "webhook.update", "webhook.delete"} <= actions


def test_the_test_operation_queues_a_ping_listed_in_the_deliveries(client, tokens, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    data = _call(client, "POST", "", tokens["lille"], BODY).json()
    queued = _call(client, "POST", f"/{data['id']}/test", tokens["lille"])
    assert queued.status_code == 202
    assert queued.json()["event_type"] == "ping"
    deliveries = _call(client, "GET", f"/{data['id']}/deliveries", tokens["lille"])
    assert deliveries.status_code == 200
    assert deliveries["X-Total-Count"] == "1"
    assert deliveries.json()[0]["status"] == "pending"
    assert Delivery.objects.count() == 1


def test_sessions_read_as_administrators_only_and_never_write(client, personas, tokens):
    data = _call(client, "POST", "", tokens["lille"], BODY).json()
    client.force_login(personas.direction)
    assert _call(client, "GET", "").status_code == 403
    client.force_login(personas.admin)
    assert [item["id"] for item in _call(client, "GET", "").json()] == [data["id"]]
    assert _call(client, "POST", "", body=BODY).status_code == 401
    assert _call(client, "DELETE", f"/{data['id']}").status_code == 401
    assert Subscription.objects.count() == 1


def test_the_event_list_is_the_registry(client, tokens):
    codes = [event["code"] for event in _call(client, "GET", "/events", tokens["sud"]).json()]
    assert codes == [
        "voice.received",
        "voice.answered",
        "complaint.received",
        "results.published",
        "results.withdrawn",
        "wave.opened",
        "wave.closed",
        "alert.raised",
    ]
