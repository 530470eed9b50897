"""Deliveries reach a real receiver signed, are retried with back-off, and stop when refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django_tasks import task_backends

from miroir.audit.models import AuditEntry
from miroir.voices.services import complaint_receive
from miroir.webhooks import services
from miroir.webhooks.delivery import DELIVERY_ATTEMPTS, DeliveryFailed, deliver
from miroir.webhooks.models import Delivery, DeliveryStatus, DisabledReason
from miroir.webhooks.signing import signature_valid
from miroir.webhooks.transport import url_problem
from tests.webhooks.conftest import DUMMY

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _complaint(personas, **extra):
    return complaint_receive(
        unit=personas.lille, text="Trop d'attente en caisse.", source="api", **extra
    ).voice


def test_an_event_reaches_the_receiver_signed_over_timestamp_and_body(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    _subscription, secret = subscribe(["complaint.received"])
    with django_capture_on_commit_callbacks(execute=True):
        voice = _complaint(personas, external_id="CRM-77")

    [request] = receiver.requests
    header = request.headers["Miroir-Signature"]
    parts = dict(part.split("=", 1) for part in header.split(","))
    # Recomputed here by hand, as a receiver in any language would.
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert abs(int(parts["t"]) - time.time()) < 300
    assert signature_valid(secret, header, request.body, now=int(time.time()))
    assert not signature_valid("whsec_other", header, request.body, now=int(time.time()))
    assert not signature_valid(secret, header, request.body + b" ", now=int(time.time()))

    event = request.event
    assert request.headers["Miroir-Event"] == "complaint.received"
    assert request.headers["Miroir-Event-Id"] == event["id"]
    assert request.headers["Content-Type"] == "application/json"
    assert request.path == "/hooks/miroir"
    assert event["type"] == "complaint.received"
    data = event["data"]
    assert data["id"] == str(voice.pk)
    assert data["external_id"] == "CRM-77"
    assert data["unit"] == {"id": personas.lille.pk, "external_id": "U-LILLE", "name": "Lille"}
    assert data["link"] == f"https://miroir.example/voices/{voice.pk}/"
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.response_code == 200
    assert delivery.response_excerpt == '{"ok": true}'
    assert delivery.duration_ms is not None


def test_an_old_or_future_signature_is_refused_by_the_check():
    body = b'{"id":"x"}'
    header = (
        f"t={int(NOW.timestamp())},v1="
        + hmac.new(
            b"whsec_s", str(int(NOW.timestamp())).encode() + b"." + body, hashlib.sha256
        ).hexdigest()
    )
    now = int(NOW.timestamp())
    assert signature_valid("whsec_s", header, body, now=now + 299)
    assert not signature_valid("whsec_s", header, body, now=now + 301)
    assert not signature_valid("whsec_s", header, body, now=now - 301)
    assert not signature_valid("whsec_s", "v1=abc", body, now=now)


def test_an_event_nobody_subscribed_to_sends_nothing(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(["wave.closed"])
    with django_capture_on_commit_callbacks(execute=True):
        _complaint(personas)
    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_a_receiver_failing_gets_the_same_event_again_after_growing_delays(
    personas, receiver, subscribe, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    monkeypatch.setattr("miroir.operations.retry.now", lambda: NOW)
    subscribe(["complaint.received"])
    with django_capture_on_commit_callbacks(execute=True):
        _complaint(personas)
    delivery = Delivery.objects.get()
    receiver.statuses = [500, 503]

    delays = []
    for attempt in (1, 2):
        with pytest.raises(DeliveryFailed):
            deliver.call(delivery.pk, retry_attempt=attempt)
        queued = backend.results[-1]
        assert queued.kwargs == {"retry_attempt": attempt + 1}
        delays.append(queued.task.run_after - NOW)
    assert delays == [timedelta(seconds=30), timedelta(minutes=2)]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 2
    assert delivery.response_code == 503
    assert delivery.response_excerpt == "receiver unavailable"

    assert deliver.call(delivery.pk, retry_attempt=3) == DeliveryStatus.SUCCEEDED
    first, second, third = receiver.requests
    # The same bytes and event id each time, so that the receiver can drop duplicates.
    assert first.body == second.body == third.body
    assert {r.headers["Miroir-Event-Id"] for r in receiver.requests} == {str(delivery.event_id)}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 3, 200)
    # A finished delivery run again (a retry already queued) sends nothing more.
    assert deliver.call(delivery.pk, retry_attempt=4) == "gone"
    assert len(receiver.requests) == 3


def test_repeated_failures_turn_the_webhook_off_and_tell_the_administrators(
    personas, receiver, subscribe, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DISABLE_AFTER = 2
    subscription, _secret = subscribe(["complaint.received"])
    receiver.statuses = [500] * (2 * DELIVERY_ATTEMPTS)
    for number in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _complaint(personas, external_id=f"CRM-{number}")

    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_reason == DisabledReason.FAILURES
    assert subscription.consecutive_failures == 2
    # Every attempt of the first two, then nothing for the third complaint.
    assert len(receiver.requests) == 2 * DELIVERY_ATTEMPTS
    assert list(Delivery.objects.values_list("status", flat=True)) == ["failed", "failed"]
    assert AuditEntry.objects.filter(action="webhook.disable").count() == 1
    [notice] = mail.outbox
    assert notice.to == ["ada@example.com"]
    assert "Récepteur" in notice.subject
    assert f"/settings/webhooks/{subscription.pk}/" in notice.body

    # Turned on again, it starts from no failure.
    services.subscription_update(subscription=subscription, actor=personas.admin, active=True)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


def test_a_success_resets_the_failures_in_a_row(
    personas, receiver, subscribe, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DISABLE_AFTER = 2
    subscription, _secret = subscribe(["complaint.received"])
    receiver.statuses = [500] * DELIVERY_ATTEMPTS
    for number in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _complaint(personas, external_id=f"CRM-{number}")
    subscription.refresh_from_db()
    assert subscription.is_active
    assert subscription.consecutive_failures == 0


def test_the_test_button_sends_a_ping_even_to_a_webhook_turned_off(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription, _secret = subscribe(["wave.opened"])
    services.subscription_update(subscription=subscription, actor=personas.admin, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_test(subscription=subscription, actor=personas.admin)
    [event] = receiver.events()
    assert event["type"] == "ping"
    assert event["data"] == {"subscription": subscription.pk, "message": "ping"}
    assert AuditEntry.objects.filter(action="webhook.test").exists()


def test_a_new_secret_signs_from_now_on(
    personas, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription, old = subscribe(["complaint.received"])
    new = services.subscription_rotate_secret(subscription=subscription, actor=personas.admin)
    assert new != old and new.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        _complaint(personas)
    [request] = receiver.requests
    now = int(time.time())
    assert signature_valid(new, request.headers["Miroir-Signature"], request.body, now=now)
    assert not signature_valid(old, request.headers["Miroir-Signature"], request.body, now=now)


def test_the_secret_is_sealed_in_the_database(personas, subscribe):
    from django.db import connection

    subscription, secret = subscribe(["complaint.received"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_subscription WHERE id = %s", [subscription.pk])
        [stored] = cursor.fetchone()
    assert secret not in stored
    assert stored.startswith("sealed1:")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
        "http://hooks.example.com/hook",
        "ftp://hooks.example.com/hook",
        "https://user:pass@hooks.example.com/hook",
        "https://hooks.example.com:99999/hook",
        "not a url",
    ],
)
def test_private_addresses_and_plain_http_are_refused_by_default(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    assert url_problem(url)


def test_a_public_https_url_is_accepted(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    assert url_problem("https://hooks.example.com/miroir?x=1") == ""
    assert url_problem("https://8.8.8.8/hook") == ""


def test_a_name_resolving_to_a_private_address_is_not_called(
    personas, receiver, subscribe, settings, monkeypatch, django_capture_on_commit_callbacks
):
    subscribe(["complaint.received"], url="https://hooks.example.com/miroir")
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    # The DNS answers with the loopback address (a rebinding attack, or a mistake).
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))],
    )
    with django_capture_on_commit_callbacks(execute=True):
        _complaint(personas)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "private address" in delivery.error
    # Refused at once: an address does not improve with retries.
    assert delivery.attempts == 1
    assert receiver.requests == []


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    personas, settings, subscribe, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    settings.TASKS = DUMMY
    task_backends["default"].clear()
    # A socket that accepts connections and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        subscribe(["complaint.received"], url=f"http://127.0.0.1:{silent.getsockname()[1]}/")
        with django_capture_on_commit_callbacks(execute=True):
            _complaint(personas)
        delivery = Delivery.objects.get()
        with pytest.raises(DeliveryFailed):
            deliver.call(delivery.pk)
    finally:
        silent.close()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "timed out" in delivery.error.lower()
    assert json.loads(delivery.body)["type"] == "complaint.received"
