"""Load the bundled retail moments, so that bundled catalogs can refer to them at once."""

import json
from pathlib import Path

from django.db import migrations

MOMENTS_FILE = Path(__file__).resolve().parent.parent / "moments.json"


def load_default_moments(apps, schema_editor):
    Moment = apps.get_model("journeys", "Moment")
    entries = json.loads(MOMENTS_FILE.read_text(encoding="utf-8"))["moments"]
    for position, entry in enumerate(entries):
        # Never overwrite a moment an administrator has already created or renamed.
        Moment.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name_fr": entry["fr"],
                "name_en": entry.get("en", ""),
                "stage": entry["stage"],
                "order": (position + 1) * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial")]

    operations = [migrations.RunPython(load_default_moments, migrations.RunPython.noop)]
