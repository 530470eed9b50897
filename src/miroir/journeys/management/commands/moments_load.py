from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from miroir.journeys.services import moments_load


class Command(BaseCommand):
    help = "Create or update the journey moments from the bundled list or a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            help='A JSON file shaped like the bundled one: {"moments": [{"code", "stage", '
            '"fr", "en"}, …]}.',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entries = None
        if options["file"]:
            try:
                entries = json.loads(options["file"].read_text(encoding="utf-8"))["moments"]
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CommandError(f"{options['file']}: cannot read moments ({error})") from None
        try:
            moments = moments_load(entries=entries)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"{len(moments)} moments loaded.")
