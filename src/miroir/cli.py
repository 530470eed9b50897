"""The ``miroir`` console script: Django's management commands with Miroir's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run the management command named on the command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miroir.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["miroir", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
