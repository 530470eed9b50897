"""Text tools of Miroir: removing names, themes, groups, and linking voices to complaints.

Plain Python on purpose (no Django): the callers pass the texts and the organisation's
member names, and get plain values back. Everything is documented in ``docs/text.md``.

- ``redact`` / ``redact_many``: names of people, e-mail addresses and phone numbers replaced
  by a marker ("[nom]", "[courriel]", "[téléphone]" in French; "[name]", "[e-mail]",
  "[phone]" in English).
- ``themes_for``: the bundled retail themes each text mentions; ``discover_groups``: groups
  among the texts no bundled theme covers, labelled with their top words.
- ``sentiments``: whether each comment is positive, neutral or negative (a lexicon).
- ``link``: which customer complaints each employee suggestion addresses; ``similar_pairs``:
  near-duplicate texts, to propose merging.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from miroir.text.grouping import Group, find_groups
from miroir.text.linking import Link, Pair, link_texts, near_duplicates
from miroir.text.redaction import (
    EMAIL_MARKER,
    NAME_MARKER,
    PHONE_MARKER,
    MemberNames,
    ModelUnavailableError,
    load_model,
    redact_texts,
)
from miroir.text.sentiment import SENTIMENTS, Sentiment, score_texts
from miroir.text.themes import Theme, assign_themes, bundled_themes

__all__ = [
    "EMAIL_MARKER",
    "NAME_MARKER",
    "PHONE_MARKER",
    "SENTIMENTS",
    "Group",
    "Link",
    "MemberNames",
    "ModelUnavailableError",
    "Pair",
    "Sentiment",
    "Theme",
    "bundled_themes",
    "discover_groups",
    "link",
    "load_model",
    "redact",
    "redact_many",
    "sentiments",
    "similar_pairs",
    "themes_for",
]


def redact(text: str, *, names: Iterable[str] | MemberNames = (), language: str = "fr") -> str:
    """Return ``text`` with people's names, e-mail addresses and phone numbers replaced.

    ``names`` are the organisation's member names ("Marie-Claire Dupont", "Jean de La
    Fontaine"), matched whatever the case and accents, whole or in parts, "Prénom N." forms
    included; names the French model or the bundled first-name list finds are replaced too.
    ``language`` ("fr" or "en") chooses the markers. For many texts, ``redact_many`` is much
    faster. Raises ``ModelUnavailableError`` if the model package is missing, ``ValueError``
    for an unknown language, ``TypeError`` if ``text`` is not a string.
    """
    return redact_texts([text], names=names, language=language)[0]


def redact_many(
    texts: Sequence[str],
    *,
    names: Iterable[str] | MemberNames = (),
    language: str = "fr",
    batch_size: int = 256,
    n_process: int = 1,
) -> list[str]:
    """Return the redacted ``texts``, in order: ``redact`` for many texts at once.

    The model runs over the texts in batches (``batch_size``). With ``n_process`` > 1 and at
    least 2,000 texts, the list is shared among that many forked worker processes, which
    inherit the loaded model: meant for batch jobs and the CLI, not for a web request. Pass
    a prepared ``MemberNames(names)`` to reuse the member list across calls.
    """
    return redact_texts(
        list(texts), names=names, language=language, batch_size=batch_size, n_process=n_process
    )


def themes_for(texts: Iterable[str], *, language: str = "fr") -> list[list[str]]:
    """Return, for each text, the codes of the bundled themes it mentions, most mentioned first.

    Codes are stable identifiers ("waiting", "prices", …); ``bundled_themes()`` gives their
    labels in French and English. A text may have no theme (``[]``).
    """
    return assign_themes(texts, language)


def discover_groups(
    texts: Sequence[str],
    *,
    language: str = "fr",
    min_size: int = 5,
    max_groups: int = 10,
    seed: int = 0,
) -> list[Group]:
    """Return groups found among the texts that no bundled theme covers, largest first.

    Each ``Group`` has a ``label`` (its three top words), its top ``terms`` and the indexes
    of its ``members`` in ``texts``. Groups of fewer than ``min_size`` texts are dropped:
    pass the anonymity threshold. Labels are words of the texts: pass redacted texts. The
    result is the same for the same ``seed``.
    """
    return find_groups(
        list(texts), language=language, min_size=min_size, max_groups=max_groups, seed=seed
    )


def link(
    suggestions: Sequence[str],
    complaints: Sequence[str],
    *,
    threshold: float = 0.25,
    language: str = "fr",
) -> list[Link]:
    """Return the ``Link``s from each suggestion to the complaints it addresses.

    The score is the TF-IDF cosine of the two texts (stems and pairs of stems) plus a bonus
    when they share bundled themes; links scoring at least ``threshold`` are returned, by
    suggestion index, then best score first. ``Link.themes`` names the shared themes, so a
    caller can say "addresses 37 complaints about waiting at the checkout".
    """
    return link_texts(list(suggestions), list(complaints), threshold=threshold, language=language)


def similar_pairs(
    texts: Sequence[str], *, threshold: float = 0.6, language: str = "fr"
) -> list[Pair]:
    """Return the pairs of near-duplicate texts (cosine ≥ ``threshold``), most similar first."""
    return near_duplicates(list(texts), threshold=threshold, language=language)


def sentiments(texts: Iterable[str], *, language: str = "fr") -> list[Sentiment]:
    """Return each text's ``Sentiment``: ``label`` (one of ``SENTIMENTS``) and ``score``.

    A lexicon of French or English words with negation, intensifiers and contrast
    ("mais", "but"), written for Miroir (``docs/text.md``, "Sentiment"). Pass redacted texts.
    """
    return score_texts(texts, language)
