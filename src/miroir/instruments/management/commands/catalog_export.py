from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from miroir.instruments.catalogs import catalog_export
from miroir.instruments.models import Instrument


class Command(BaseCommand):
    help = "Write a questionnaire in the catalog format, to standard output or a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the questionnaire's identifier")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            instrument = Instrument.objects.get(slug=options["slug"])
        except Instrument.DoesNotExist:
            raise CommandError(f'No questionnaire "{options["slug"]}".') from None
        text = json.dumps(catalog_export(instrument), ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            try:
                options["output"].write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"{options['output']}: {error.strerror}") from None
            self.stdout.write(f"{instrument.slug} written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
