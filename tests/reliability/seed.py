"""Migrate the test's database and create an open customer wave; print what clients need.

Run in its own process with the app's environment (``MIROIR_DATABASE_URL`` pointing at the
test's own database): ``python seed.py`` prints one JSON object. One process for both, as
starting Django costs seconds on a busy machine.
"""

from __future__ import annotations

import json
from datetime import timedelta

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)

    from miroir.collect.channels.kiosk.keys import kiosk_header_token
    from miroir.collect.services import kiosk_issue, wave_create, wave_launch
    from miroir.instruments.services import instrument_create, item_create
    from miroir.org.models import UnitKind
    from miroir.org.services import unit_create

    company = unit_create(name="Fiabilité", kind=UnitKind.COMPANY, external_id="REL")
    shops = [
        unit_create(
            name=f"Magasin {index}", kind=UnitKind.SHOP, parent=company, external_id=f"REL-{index}"
        )
        for index in range(3)
    ]
    instrument = instrument_create(
        actor=None, title_fr="Clients fiabilité", title_en="Reliability customers"
    )
    item_create(
        instrument=instrument,
        actor=None,
        code="accueil",
        lens="customer",
        scale="agree5",
        text_fr="On m'a bien accueilli.",
        dimension="welcome",
    )
    item_create(
        instrument=instrument,
        actor=None,
        code="mot",
        lens="customer",
        scale="free_text",
        text_fr="Un mot pour l'équipe ?",
        dimension="welcome",
        max_length=200,
    )
    wave = wave_create(
        actor=None,
        instrument=instrument,
        name="Fiabilité",
        lens="customer",
        kind="hot",
        units=[company],
        closes_at=timezone.now() + timedelta(days=7),
        channels=["kiosk"],
        open_links=True,
    )
    wave = wave_launch(wave=wave, actor=None)
    kiosk = kiosk_issue(wave=wave, unit=shops[0], actor=None)[1]
    print(
        json.dumps(
            {
                "wave_id": wave.pk,
                "public_id": str(wave.public_id),
                "unit_ids": [shop.pk for shop in shops],
                "kiosk_cookie": kiosk,
                "kiosk_header": kiosk_header_token(kiosk),
            }
        )
    )


if __name__ == "__main__":
    main()
