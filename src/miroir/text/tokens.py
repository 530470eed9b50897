"""Tokens for themes, linking and grouping: folded, stop-word free, stemmed.

Themes and similarity do not need the statistical model: a regular expression, accent
folding and the Snowball stemmers are two orders of magnitude faster than a parse and give
the same word families ("attente", "attendre", "attendu" → "attend"). Keywords of the theme
list go through the same function as the texts, so both always meet on the same stems.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

LANGUAGES = ("fr", "en")

_APOSTROPHES = "'\u2019"
_WORD = re.compile(rf"[^\W\d_]+(?:[{_APOSTROPHES}][^\W\d_]+)*", re.UNICODE)
# French elisions are cut off so "l'attente" and "d'attente" give "attente".
_ELISION = re.compile(rf"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)[{_APOSTROPHES}]", re.IGNORECASE)

# Short on purpose: words that carry no topic in a verbatim, in both languages, since
# customers and employees mix them ("le self-checkout", "the caisse").
_STOP_FR = """
a à afin ai aie aient aies ait alors après as au aucun aucune aussi autre autres aux avaient
avais avait avant avec avez aviez avions avoir avons ayant bah bien bon bonne c ça car ce ceci
cela celle celles celui cependant ces cet cette ceux chaque chez ci comme comment d dans de
des donc dont du elle elles en encore entre es est et étaient étais était étant été être eu
eux fait faire fais faut fois font hors ici il ils j je jusqu l la là le les leur leurs lui
m ma mais me même mêmes mes moi mon n ne ni non nos notre nous on ont ou où par parce pas
peu peut peuvent plus pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans
se sera serait ses si sien soit sommes son sont sous suis sur t ta te tes toi ton toujours
tous tout toute toutes très tu un une unes uns vers voilà vont vos votre vous vu y déjà
merci svp stp etc oui vraiment rien ceux-ci celle-ci chose choses
"""
_STOP_EN = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself
yourselves really thanks thank please get got also still even always
"""


def fold(text: str) -> str:
    """Return ``text`` lower-cased without accents ("Élodie" → "elodie", "Œuvre" → "oeuvre")."""
    if text.isascii():
        return text.lower()
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def check_language(language: str) -> str:
    """Return ``language`` if Miroir's text tools know it, or raise ``ValueError`` naming it."""
    if language not in LANGUAGES:
        raise ValueError(
            f"Unknown language {language!r}: the text tools know {', '.join(LANGUAGES)}."
        )
    return language


STOP_WORDS: frozenset[str] = frozenset(fold(w) for w in (_STOP_FR + _STOP_EN).split())


@lru_cache(maxsize=2)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french" if language == "fr" else "english")


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str:
    return _stemmer(language).stemWord(word)


def stem(word: str, language: str = "fr") -> str:
    """Return the Snowball stem of one folded word."""
    return _stem(word, language)


def words(text: str) -> list[str]:
    """Return the folded words of ``text``, elisions removed, stop words kept."""
    # Folding the whole text once is several times faster than word by word.
    out = []
    for match in _WORD.finditer(fold(text)):
        word = _ELISION.sub("", match.group())
        if word:
            out.append(word)
    return out


def stems(text: str, language: str = "fr") -> list[str]:
    """Return the stems of ``text``'s content words in order (no stop words, no 1-letter words)."""
    return [
        _stem(word, language) for word in words(text) if len(word) > 1 and word not in STOP_WORDS
    ]


def stems_with_forms(text: str, language: str = "fr") -> Iterable[tuple[str, str]]:
    """Yield ``(stem, word)`` pairs, the word in lower case with its accents, for display."""
    for match in _WORD.finditer(text.lower()):
        written = _ELISION.sub("", match.group())
        word = fold(written)
        if len(word) > 1 and word not in STOP_WORDS:
            yield _stem(word, language), written
