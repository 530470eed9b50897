"""The voices' use of the text engine: redaction, themes, and similarity between voices.

``miroir.text`` (names removed with the organisation's member names and spaCy's French
model, bundled retail themes, TF-IDF linking) is used when it works. Redaction fails closed:
if the engine cannot run (its model or data missing), ``redact`` raises
``RedactionUnavailable`` and the caller keeps the text hidden until a later run succeeds.
Themes and similarity fall back to nothing and to a normalised-token Jaccard index.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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


logger = logging.getLogger(__name__)

_BROKEN: set[str] = set()


def _engine() -> Any:
    """Return the ``miroir.text`` module, or None when it is missing."""
    try:
        import miroir.text as engine
    except ImportError:
        return None
    return engine


def _failed(what: str) -> None:
    """Warn, once per process and part, that the engine failed (no text, id or time logged)."""
    if what not in _BROKEN:
        logger.warning("Text engine unavailable for %s", what)
    _BROKEN.add(what)


class RedactionUnavailable(RuntimeError):
    """The text engine could not remove names: the text must stay hidden from others."""


@dataclass
class _Names:
    key: tuple[int, str] = (-1, "")
    names: list[str] = field(default_factory=list)
    prepared: Any = None


_NAMES = _Names()


def member_names() -> _Names:
    """Return the organisation's member names, prepared once until members change."""
    from django.db.models import Count, Max

    from miroir.org.models import Member

    stats = Member.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    key = (stats["n"], str(stats["last"]))
    if key != _NAMES.key:
        names = [
            f"{first} {last}"
            for first, last in Member.objects.values_list("first_name", "last_name")
        ]
        _NAMES.key, _NAMES.names, _NAMES.prepared = key, names, None
    return _NAMES


def redact(texts: list[str], *, language: str = "fr") -> list[str]:
    """Return the texts with people's names (members' and others') replaced by a marker.

    Raises ``RedactionUnavailable`` when the engine cannot run: no partial redaction is ever
    returned, so that a caller cannot show a text with names left in it.
    """
    language = "en" if language == "en" else "fr"
    names = member_names()
    engine = _engine()
    if engine is None:
        raise RedactionUnavailable("The text engine (miroir.text) is not available.")
    try:
        if names.prepared is None:
            names.prepared = engine.MemberNames(names.names)
        return engine.redact_many(texts, names=names.prepared, language=language)
    except Exception as error:  # the model or its data missing: nothing is shown
        _failed("redaction")
        raise RedactionUnavailable(
            f"Names could not be removed ({type(error).__name__})."
        ) from error


def themes(text: str, *, language: str = "fr") -> list[str]:
    """Return the codes of the bundled themes the text mentions (none without the engine)."""
    engine = _engine()
    if engine is None:
        return []
    try:
        return engine.themes_for([text], language="en" if language == "en" else "fr")[0]
    except Exception:
        _failed("themes")
        return []


def theme_labels(codes: Iterable[str], *, language: str = "fr") -> list[str]:
    """Return the labels of theme codes, in ``language``; unknown codes as they are."""
    engine = _engine()
    try:
        labels = {t.code: t.label(language) for t in engine.bundled_themes()} if engine else {}
    except Exception:
        labels = {}
    return [labels.get(code, code) for code in codes]


def analyse(title: str, text: str, *, language: str = "fr") -> tuple[str, str, list[str]]:
    """Return the title and text with people's names removed, and the themes of the text."""
    redacted_title, redacted_text = redact([title, text], language=language)
    return redacted_title, redacted_text, themes(f"{title}\n{text}", language=language)


def duplicates(text: str, candidates: list[str], *, threshold: float) -> list[tuple[int, float]]:
    """Return ``(index, score)`` of the candidates saying nearly what ``text`` says."""
    engine = _engine()
    if engine is not None:
        try:
            pairs = engine.similar_pairs([text, *candidates], threshold=threshold)
            found = [(pair.second - 1, pair.score) for pair in pairs if pair.first == 0]
            return sorted(found, key=lambda pair: -pair[1])
        except Exception:
            _failed("near-duplicates")
    return similar(text, enumerate(candidates), threshold=max(threshold - 0.1, 0.3))


def addressed(suggestion: str, complaints: list[str]) -> list[tuple[int, float, tuple[str, ...]]]:
    """Return ``(index, score, shared themes)`` of the complaints a suggestion addresses."""
    engine = _engine()
    if engine is not None:
        try:
            links = engine.link([suggestion], complaints)
            return [(link.complaint, link.score, link.themes) for link in links]
        except Exception:
            _failed("linking")
    return [
        (index, score, ())
        for index, score in similar(suggestion, enumerate(complaints), threshold=0.25)
    ]
