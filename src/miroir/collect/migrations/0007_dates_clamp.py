"""Interactions, their invitations and waves stored with a date outside 2000-2100 (before
input dates were checked) get one inside it, so that every page and job can read them."""

from __future__ import annotations

from django.db import migrations

from miroir.core.inputs import dates_clamp


def clamp(apps, schema_editor):
    dates_clamp(apps.get_model("collect", "Interaction"), ("occurred_at",))
    dates_clamp(apps.get_model("collect", "Invitation"), ("not_before", "expires_at"))
    dates_clamp(apps.get_model("collect", "Wave"), ("opens_at", "closes_at"))


class Migration(migrations.Migration):
    dependencies = [("collect", "0006_kiosk")]

    operations = [migrations.RunPython(clamp, migrations.RunPython.noop)]
