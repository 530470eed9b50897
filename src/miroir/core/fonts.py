"""The Unicode fonts the PDFs embed (DejaVu, from Debian's ``fonts-dejavu-core``).

fpdf2's own fonts know Latin-1 only: no narrow no-break space before « ; ! ? », no
curly apostrophe. DejaVu covers them; ``./dev`` installs it on the machines that run
the tests, and ``unicode_font`` says when a server lacks it (the PDF then falls back
to Helvetica with the letters simplified, see ``latin1``).
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
BOLD_CANDIDATES = tuple(
    path.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") for path in FONT_CANDIDATES
)

# fpdf2 subsets fonts with fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def font_path(candidates: tuple[str, ...]) -> str | None:
    """Return the first of ``candidates`` that is a file, or None."""
    return next((path for path in candidates if Path(path).is_file()), None)


def unicode_font() -> tuple[str | None, str | None]:
    """Return the paths of the regular and bold Unicode fonts (None when not installed)."""
    regular = font_path(FONT_CANDIDATES)
    return regular, font_path(BOLD_CANDIDATES) or regular


def latin1(text: str) -> str:
    """Return text a PDF core font can print: accents kept, other letters simplified."""
    out = []
    for char in text:
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            out.append(plain or "?")
        else:
            out.append(char)
    return "".join(out)
