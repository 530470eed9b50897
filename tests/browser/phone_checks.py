"""What a page must hold on a 390 px phone, measured in the browser.

``phone_problems(page)`` returns, in words, what is wrong with the page shown: it scrolls
sideways, the header takes more than a fifth of the screen (the navigation does not fold),
a chart is wider than the screen, a visible text is drawn under 12 px (SVG text counted
at its rendered size), a label that must stay on one line (a status, a claim code, a
figure) wraps, or a French page writes a decimal with a point. Content inside a box that
scrolls by itself (a wide table in its wrapper) does not make the page scroll, so it is
not counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MIN_TEXT_PX = 12
# Short labels that lose their meaning when broken over two lines.
ONE_LINE = ".tag, .claim-code, td.num, th.num"
# The header (brand, menu, language, log out) leaves the screen to the page.
MAX_HEADER_SHARE = 0.2

MEASURE = (Path(__file__).parent / "phone_checks.js").read_text(encoding="utf-8")


def phone_problems(page: Any) -> list[str]:
    """Return what does not fit a phone on the page shown, in words (empty: all is well)."""
    return page.evaluate(MEASURE, [MIN_TEXT_PX, ONE_LINE, MAX_HEADER_SHARE])
