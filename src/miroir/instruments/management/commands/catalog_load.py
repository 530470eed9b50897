from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from miroir.instruments.catalogs import (
    CatalogError,
    catalog_decode,
    catalog_import,
    catalog_names,
    catalog_parse,
    catalog_read,
)


class Command(BaseCommand):
    help = (
        "Load questionnaires from the bundled catalogs (by name, or --all) or from catalog "
        "files (--file). An existing questionnaire is only rewritten with --replace; one "
        "already used by a wave is kept and the catalog becomes a new version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME", help="bundled catalog names")
        parser.add_argument("--all", action="store_true", help="load every bundled catalog")
        parser.add_argument(
            "--file",
            action="append",
            type=Path,
            default=[],
            metavar="PATH",
            help="a catalog file (may be repeated)",
        )
        parser.add_argument(
            "--replace", action="store_true", help="rewrite questionnaires that already exist"
        )
        parser.add_argument("--list", action="store_true", help="list the bundled catalogs")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for name in catalog_names():
                self.stdout.write(name)
            return
        names = catalog_names() if options["all"] else options["names"]
        if not names and not options["file"]:
            raise CommandError(
                "Name a bundled catalog, or use --all or --file. Bundled catalogs: "
                + ", ".join(catalog_names())
            )
        sources = [(name, lambda name=name: catalog_read(name)) for name in names]
        sources += [(str(path), lambda path=path: self._read(path)) for path in options["file"]]
        for source, read in sources:
            try:
                spec = catalog_parse(read())
                instrument = catalog_import(
                    spec=spec,
                    actor=None,
                    replace=options["replace"],
                    source=Path(source).stem,
                )
            except CatalogError as error:
                raise CommandError(f"{source}:\n  " + "\n  ".join(error.errors)) from None
            self.stdout.write(
                f"{source}: loaded as {instrument.slug} (version {instrument.version}, "
                f"{instrument.items.count()} items, {instrument.mirrors.count()} mirrors)"
            )

    @staticmethod
    def _read(path: Path) -> Any:
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CatalogError([f"{path}: {error.strerror}"]) from None
        return catalog_decode(raw, name=path.name)
