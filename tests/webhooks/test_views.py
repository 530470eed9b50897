"""The administrators' webhook pages: create (secret shown once), log, test, change, delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.org.selectors import Scope
from miroir.webhooks.models import Delivery, Subscription
from miroir.webhooks.services import subscription_create

FORM = {
    "name": "Ticketing",
    "url": "https://hooks.example.com/miroir",
    "events": ["voice.received", "wave.closed"],
    "unit": "U-LILLE",
}


@pytest.fixture
def webhook(personas):
    subscription, _secret = subscription_create(
        name="CRM",
        url="https://crm.example.com/hook",
        events=["complaint.received"],
        scope_unit=None,
        actor=personas.admin,
        scope=Scope(everything=True),
    )
    return subscription


def test_an_administrator_creates_a_webhook_and_reads_its_secret_once(client, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("webhooks:create"), FORM)
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.scope_unit == personas.lille
    assert subscription.events == ["voice.received", "wave.closed"]
    html = response.content.decode()
    assert subscription.secret in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    later = client.get(reverse("webhooks:detail", args=[subscription.pk])).content.decode()
    assert subscription.secret not in later
    assert "Ticketing" in client.get(reverse("webhooks:list")).content.decode()


def test_a_refused_url_is_said_on_the_form_and_nothing_is_stored(client, personas, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(personas.admin)
    response = client.post(
        reverse("webhooks:create"),
        {**FORM, "url": "https://192.168.1.1/hook"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "private network" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_test_button_queues_a_ping_shown_in_the_log(client, personas, webhook, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(personas.admin)
    response = client.post(reverse("webhooks:test", args=[webhook.pk]), follow=True)
    assert response.status_code == 200
    assert Delivery.objects.get().event_type == "ping"
    assert 'data-testid="delivery-row"' in response.content.decode()


def test_an_administrator_turns_a_webhook_off_and_deletes_it(client, personas, webhook):
    client.force_login(personas.admin)
    response = client.post(
        reverse("webhooks:edit", args=[webhook.pk]),
        {"name": "CRM", "url": webhook.url, "events": ["complaint.received"]},
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert not webhook.is_active
    rotated = client.post(reverse("webhooks:rotate", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.secret in rotated.content.decode()
    assert client.post(reverse("webhooks:delete", args=[webhook.pk])).status_code == 302
    assert not Subscription.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="webhook.")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["webhook.create", "webhook.update", "webhook.rotate", "webhook.delete"]


@pytest.mark.parametrize("user", ["direction", "shop_manager", "employee"])
def test_nobody_but_administrators_reaches_the_pages(client, personas, webhook, user):
    client.force_login(getattr(personas, user))
    assert client.get(reverse("webhooks:list")).status_code == 403
    assert client.get(reverse("webhooks:detail", args=[webhook.pk])).status_code == 403
    assert client.post(reverse("webhooks:delete", args=[webhook.pk])).status_code == 403
    assert Subscription.objects.filter(pk=webhook.pk).exists()
