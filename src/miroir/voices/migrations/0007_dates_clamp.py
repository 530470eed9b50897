"""Voices stored with a date outside 2000-2100 (before input dates were checked) get one
inside it, so that the pages, the API, backups and the hourly tick can read them again."""

from __future__ import annotations

from django.db import migrations

from miroir.core.inputs import dates_clamp

FIELDS = (
    "received_at",
    "due_at",
    "acknowledged_at",
    "studied_at",
    "answered_at",
    "reminded_at",
    "escalated_at",
)


def clamp(apps, schema_editor):
    dates_clamp(apps.get_model("voices", "Voice"), FIELDS)


class Migration(migrations.Migration):
    dependencies = [("voices", "0006_voicereport_redacted_reason")]

    operations = [migrations.RunPython(clamp, migrations.RunPython.noop)]
