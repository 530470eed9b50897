"""Sentiment of short comments: a transparent lexicon of French and English words.

Each comment is cut into clauses at punctuation; in a clause, a word or phrase of the
lexicon (``wordlists/sentiment.json``, matched by Snowball stems without regard to case
or accents) adds its polarity (-2 to 2), reversed when a negation stands within the
three words before it ("pas", "jamais", "not", "never"… and "manque de", "lack of";
a phrase that starts with its own, "pas mal", is left as written),
times 1.5 after an intensifier ("très", "really"). A clause after a contrast ("mais",
"but") counts double: "Bon accueil mais vingt minutes d'attente" leans on the wait.
The sum decides: at least 1 is positive, at most -1 negative, in between neutral.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from miroir.text.tokens import check_language, fold, stem

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"
SENTIMENTS = (POSITIVE, NEUTRAL, NEGATIVE)

# Words before a lexicon entry that a negation reaches.
NEGATION_REACH = 3
INTENSIFIER_WEIGHT = 1.5
CONTRAST_WEIGHT = 2.0
# The score from which a comment is positive (or, negated, negative).
DECISION = 1.0

_CLAUSE = re.compile(r"[.,;:!?()\n]+")
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Sentiment:
    """A comment's ``label`` (``positive``, ``neutral``, ``negative``) and its ``score``."""

    label: str
    score: float


@dataclass(frozen=True, slots=True)
class _Lexicon:
    entries: dict[tuple[str, ...], float]
    longest: int
    negators: frozenset[str]
    intensifiers: frozenset[str]
    contrasts: frozenset[str]


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=2)
def lexicon(language: str) -> _Lexicon:
    """Return the lexicon of ``language``, its keys stemmed as the texts will be."""
    raw = json.loads(
        resources.files("miroir.text").joinpath("wordlists/sentiment.json").read_text("utf-8")
    )[language]
    entries: dict[tuple[str, ...], float] = {}
    for table in ("words", "phrases"):
        for phrase, polarity in raw[table].items():
            key = tuple(stem(word, language) for word in _tokens(phrase))
            entries[key] = float(polarity)
    return _Lexicon(
        entries=entries,
        longest=max(len(key) for key in entries),
        negators=frozenset(raw["negators"]),
        intensifiers=frozenset(raw["intensifiers"]),
        contrasts=frozenset(raw["contrasts"]),
    )


def _clause_score(words: list[str], lex: _Lexicon, language: str) -> float:
    stemmed = [stem(word, language) for word in words]
    score = 0.0
    position = 0
    while position < len(words):
        for size in range(min(lex.longest, len(words) - position), 0, -1):
            polarity = lex.entries.get(tuple(stemmed[position : position + size]))
            if polarity is not None:
                break
        else:
            position += 1
            continue
        # A phrase that holds its own negation ("pas mal", "rien à redire") is not negated.
        before = words[max(0, position - NEGATION_REACH) : position]
        if words[position] not in lex.negators and any(word in lex.negators for word in before):
            polarity = -polarity
        if position and words[position - 1] in lex.intensifiers:
            polarity *= INTENSIFIER_WEIGHT
        score += polarity
        position += size
    return score


def score_text(text: str, language: str = "fr") -> Sentiment:
    """Return the ``Sentiment`` of one comment (see the module's docstring for the method)."""
    lex = lexicon(check_language(language))
    total = 0.0
    for clause in _CLAUSE.split(text):
        words = _tokens(clause)
        weight = 1.0
        start = 0
        for index, word in enumerate(words):
            if word in lex.contrasts:
                total += weight * _clause_score(words[start:index], lex, language)
                weight, start = CONTRAST_WEIGHT, index + 1
        total += weight * _clause_score(words[start:], lex, language)
    if total >= DECISION:
        label = POSITIVE
    elif total <= -DECISION:
        label = NEGATIVE
    else:
        label = NEUTRAL
    return Sentiment(label, round(total, 2))


def score_texts(texts: Iterable[str], language: str = "fr") -> list[Sentiment]:
    """Return the ``Sentiment`` of each text, in order."""
    check_language(language)
    out = []
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"Text {position} is a {type(text).__name__}, not a string.")
        out.append(score_text(text, language))
    return out
