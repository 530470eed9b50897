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
_EMOJI_JOINER = re.compile(
    "(?<=[\U0001f000-\U0001faff\u2600-\u27bf])\u200d(?=[\U0001f000-\U0001faff\u2600-\u27bf])"
)
_KEPT_JOINER = "\U0010fffe"  # a noncharacter, never in input once text_clean ran


def text_clean(text: str) -> str:
    """Return ``text`` in NFC form without invisible or direction-changing characters.

    A zero-width joiner inside an emoji sequence stays. The text is not trimmed: callers
    keep their own rule for surrounding spaces.
    """
    text = _EMOJI_JOINER.sub(_KEPT_JOINER, text)
    text = INVISIBLE.sub("", text).replace(_KEPT_JOINER, "\u200d")
    return unicodedata.normalize("NFC", text)
