"""The base class of Miroir's management commands: readable errors, progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

PhaseProgress = Callable[[str, int, int], None]


class MiroirCommand(BaseCommand):
    """A management command whose failures read as sentences, never as tracebacks.

    Services raise ``ValidationError`` for bad input; here it becomes a ``CommandError``
    with one message per line, which Django prints without a traceback and turns into a
    non-zero exit code.
    """

    verbosity = 1

    def execute(self, *args: Any, **options: Any) -> Any:
        self.verbosity = options.get("verbosity", 1)
        try:
            return super().execute(*args, **options)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None

    def fail(self, message: str, details: Iterable[str] = ()) -> NoReturn:
        """Stop the command with ``message`` followed by one line per detail."""
        raise CommandError("\n".join([message, *details]))

    def open_input(self, path: str | Path, *, what: str) -> BinaryIO:
        """Return the file at ``path`` opened for binary reading, or stop with why it can't be."""
        try:
            return open(path, "rb")
        except FileNotFoundError:
            self.fail(_("%(what)s: no such file: %(path)s") % {"what": what, "path": path})
        except IsADirectoryError:
            self.fail(
                _("%(what)s: %(path)s is a folder, not a file") % {"what": what, "path": path}
            )
        except PermissionError:
            self.fail(_("%(what)s: permission denied: %(path)s") % {"what": what, "path": path})
        except OSError as error:
            self.fail(
                _("%(what)s: cannot open %(path)s (%(error)s)")
                % {"what": what, "path": path, "error": error.strerror or error}
            )

    @contextmanager
    def phase_progress(self) -> Iterator[PhaseProgress]:
        """Yield a ``(phase, done, total)`` callback drawing one progress bar per phase.

        The bar goes to the process's stderr (not ``self.stderr``, whose line endings
        would break the bar's redraws) and stays off when stderr is not a terminal or
        with ``--verbosity 0``.
        """
        state: dict[str, Any] = {"phase": None, "bar": None}

        def update(phase: str, done: int, total: int) -> None:
            bar = state["bar"]
            if phase != state["phase"]:
                if bar is not None:
                    bar.close()
                bar = tqdm(
                    total=total,
                    desc=phase,
                    file=sys.stderr,
                    disable=True if self.verbosity == 0 else None,
                    leave=self.verbosity > 1,
                )
                state.update(phase=phase, bar=bar)
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            yield update
        finally:
            if state["bar"] is not None:
                state["bar"].close()
