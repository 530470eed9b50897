"""Load the bundled journeys (employee journey, shop customer journey), as the moments were."""

import json
from pathlib import Path

from django.db import migrations

JOURNEYS_FILE = Path(__file__).resolve().parent.parent / "journeys.json"


def load_bundled_journeys(apps, schema_editor):
    Journey = apps.get_model("journeys", "Journey")
    Moment = apps.get_model("journeys", "Moment")
    for template in json.loads(JOURNEYS_FILE.read_text(encoding="utf-8"))["journeys"]:
        journey, _ = Journey.objects.get_or_create(
            code=template["code"],
            defaults={
                "kind": template["kind"],
                "name_fr": template["fr"],
                "name_en": template.get("en", ""),
                "description_fr": template.get("description_fr", ""),
                "description_en": template.get("description_en", ""),
            },
        )
        for position, entry in enumerate(template["moments"]):
            # Existing moments keep their names and order; they join the journey.
            moment, _ = Moment.objects.get_or_create(
                code=entry["code"],
                defaults={
                    "name_fr": entry["fr"],
                    "name_en": entry.get("en", ""),
                    "stage": entry["stage"],
                    "order": (position + 1) * 10,
                },
            )
            if moment.journey_id is None:
                moment.journey = journey
                moment.teams = moment.teams or entry.get("teams", [])
                moment.save(update_fields=["journey", "teams"])


class Migration(migrations.Migration):
    dependencies = [("journeys", "0003_journeys")]

    operations = [migrations.RunPython(load_bundled_journeys, migrations.RunPython.noop)]
