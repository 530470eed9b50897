"""Run several ``miroir`` commands in one process, as the CLI would (Django starts once).

    python run_commands.py "migrate --noinput" "backup --output f" "!restore f --apply"

A command prefixed with ``!`` must fail: its error is printed after ``REFUSED:``; any other
failure stops with a non-zero exit. Each command's output is printed after ``== <command>``.
"""

from __future__ import annotations

import shlex
import sys
from io import StringIO

import django


def main() -> int:
    django.setup()
    from django.core.management import CommandError, call_command

    for line in sys.argv[1:]:
        must_fail = line.startswith("!")
        name, *args = shlex.split(line.lstrip("!"))
        out = StringIO()
        print(f"== {line}", flush=True)
        try:
            call_command(name, *args, stdout=out, stderr=out)
        except CommandError as error:
            if not must_fail:
                print(out.getvalue(), error, file=sys.stderr)
                return 1
            print(f"REFUSED: {error}")
            continue
        print(out.getvalue())
        if must_fail:
            print(f"{line}: succeeded but should have failed", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
