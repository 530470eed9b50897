"""Contact addresses of complaints are confirmed before answers go to them.

Addresses that came from an integration (API, CSV) are the company's own records: confirmed
as received. Those typed on the public form before this change stay unconfirmed (fail closed):
their answers are no longer e-mailed, and the customer follows the complaint with its code.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import F


def confirm_integrations(apps: Any, schema_editor: Any) -> None:
    Voice = apps.get_model("voices", "Voice")
    Voice.objects.exclude(contact_email="").exclude(source="web_form").update(
        contact_confirmed_at=F("received_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0004_anonymous_voice_traces"),
    ]

    operations = [
        migrations.AddField(
            model_name="voice",
            name="contact_confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(confirm_integrations, migrations.RunPython.noop),
    ]
