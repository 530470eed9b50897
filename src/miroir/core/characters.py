"""Invisible and direction-changing characters, removed from names and free texts.

Plain Python (no Django): Django-free modules such as ``instruments.scales`` use it too.
``miroir.core.inputs`` gathers it with the other input rules (docs/security.md).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters, joiners, the byte-order mark, invisible operators, and the bidi
# marks, embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they print
# nothing, or reorder what follows, and make look-alike names and misleading texts.
INVISIBLE = re.compile(
    "[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)
# A zero-width joiner between two pictographs builds one emoji (👩‍💻): kept in free texts.
_PICTOGRAPH = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")


def _removed(match: re.Match[str]) -> str:
    # Judged on the text as given, so that cleaning twice changes nothing and no character
    # of the input can stand for a kept joiner.
    if match.group() == "\u200d":
        text, at = match.string, match.start()
        if (
            0 < at < len(text) - 1
            and _PICTOGRAPH.match(text[at - 1])
            and _PICTOGRAPH.match(text[at + 1])
        ):
            return "\u200d"
    return ""


def text_clean(text: str) -> str:
    """Return ``text`` in NFC form without invisible or direction-changing characters.

    A zero-width joiner inside an emoji sequence stays. The text is not trimmed: callers
    keep their own rule for surrounding spaces.
    """
    return unicodedata.normalize("NFC", INVISIBLE.sub(_removed, text))
