from __future__ import annotations

from django.urls import path

from miroir.collect.channels.sms import views

urlpatterns = [
    # The SMS provider's delivery reports and replies (signed by the provider).
    path("hooks/sms/twilio/", views.sms_webhook_twilio, name="sms_webhook_twilio"),
]
