"""The voices' use of the text engine: redaction, themes, and similarity between voices.

``miroir.text`` (names removed with the organisation's member names and a named-entity
model, themes, linking by similarity) is used when it is installed; until then voices keep
their text as written for readers and compare by a normalised-token Jaccard index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9]+")
# Short words carry no topic; dropped so that two texts compare by what they are about.
_STOP = frozenset(
    (
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "est",
        "sont",
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "it",
        "for",
        "on",
        "that",
        "this",
        "with",
        "be",
        "are",
        "was",
        "we",
        "our",
        "you",
        "they",
        "at",
        "or",
        "an",
        "as",
        "by",
        "plus",
        "tres",
        "trop",
        "faut",
        "fait",
        "etre",
        "avoir",
    )
)


def tokens(text: str) -> frozenset[str]:
    """Return the set of meaningful lower-case, accent-free words of ``text``."""
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(char for char in folded if not unicodedata.combining(char))
    return frozenset(
        word for word in _WORD.findall(ascii_text) if len(word) > 2 and word not in _STOP
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the size of the intersection over the size of the union, 0 when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def similar(text: str, candidates: Iterable[tuple[object, str]], *, threshold: float) -> list:
    """Return ``(key, score)`` for the candidates at least ``threshold`` similar, best first."""
    mine = tokens(text)
    scored = []
    for key, other in candidates:
        score = jaccard(mine, tokens(other))
        if score >= threshold:
            scored.append((key, score))
    scored.sort(key=lambda pair: -pair[1])
    return scored


def analyse(title: str, text: str) -> tuple[str, str, list[str]]:
    """Return the title and text with people's names removed, and the themes of the text."""
    return title, text, []
