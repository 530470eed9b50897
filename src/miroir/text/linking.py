"""Linking suggestions to the complaints they address, and finding near-duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from miroir.text.themes import themes_of_stems
from miroir.text.tokens import check_language, stems
from miroir.text.vectors import tfidf

# Weight of sharing a bundled theme, added to the cosine of the two texts: two texts about
# waiting at the checkout rarely share many words ("file", "attente", "caisse"), yet they
# are about the same thing.
THEME_WEIGHT = 0.1


@dataclass(frozen=True, slots=True)
class Link:
    """An employee suggestion linked to one customer complaint or verbatim it addresses.

    ``suggestion`` and ``complaint`` are indexes into the lists given to ``link``; ``score``
    is the text cosine plus the theme bonus; ``themes`` are the bundled themes both share.
    """

    suggestion: int
    complaint: int
    score: float
    themes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pair:
    """Two texts saying nearly the same: indexes ``first < second``, ``score`` their cosine."""

    first: int
    second: int
    score: float


def _check_texts(texts: Sequence[str], what: str) -> None:
    for n, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{what} {n} is a {type(text).__name__}, not a string.")


def _theme_matrix(theme_lists: list[list[str]], codes: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for row, themes in enumerate(theme_lists):
        for code in themes:
            rows.append(row)
            cols.append(codes[code])
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(theme_lists), len(codes)))


def link_texts(
    suggestions: Sequence[str],
    complaints: Sequence[str],
    *,
    threshold: float,
    language: str,
) -> list[Link]:
    """Return the links scoring at least ``threshold``, by suggestion then best score first."""
    check_language(language)
    _check_texts(suggestions, "Suggestion")
    _check_texts(complaints, "Complaint")
    if not 0 < threshold <= 1 + THEME_WEIGHT:
        raise ValueError(
            f"The linking threshold must be in (0, {1 + THEME_WEIGHT}], not {threshold}."
        )
    if not suggestions or not complaints:
        return []
    words = [stems(text, language) for text in [*suggestions, *complaints]]
    vectors, _ = tfidf(words, bigrams=False)
    left, right = vectors[: len(suggestions)], vectors[len(suggestions) :]
    themes = [themes_of_stems(w, language) for w in words]
    codes = {code: n for n, code in enumerate(sorted({c for t in themes for c in t}))}
    theme_m = _theme_matrix(themes, codes)
    left_t, right_t = theme_m[: len(suggestions)], theme_m[len(suggestions) :]
    # Shared themes over the smaller theme count: 1 when one text's themes are all in the
    # other's, so a one-theme complaint fully matches a suggestion that also names a second.
    shared = sparse.csr_matrix(left_t @ right_t.T)
    left_n = np.asarray(left_t.sum(axis=1)).ravel()
    right_n = np.asarray(right_t.sum(axis=1)).ravel()
    rows = np.repeat(np.arange(shared.shape[0]), np.diff(shared.indptr))
    shared.data = shared.data / np.minimum(left_n[rows], right_n[shared.indices])
    score = sparse.csr_matrix(left @ right.T + THEME_WEIGHT * shared)
    out: list[Link] = []
    for s in range(score.shape[0]):
        start, end = score.indptr[s], score.indptr[s + 1]
        cols, values = score.indices[start:end], score.data[start:end]
        keep = values >= threshold
        s_themes = themes[s]
        for c, value in sorted(zip(cols[keep], values[keep], strict=True), key=lambda p: -p[1]):
            c_themes = set(themes[len(suggestions) + int(c)])
            out.append(
                Link(s, int(c), round(float(value), 4), tuple(t for t in s_themes if t in c_themes))
            )
    return out


def near_duplicates(texts: Sequence[str], *, threshold: float, language: str) -> list[Pair]:
    """Return the pairs of texts whose cosine is at least ``threshold``, most similar first."""
    check_language(language)
    _check_texts(texts, "Text")
    if not 0 < threshold <= 1:
        raise ValueError(f"The similarity threshold must be in (0, 1], not {threshold}.")
    if len(texts) < 2:
        return []
    vectors, _ = tfidf([stems(text, language) for text in texts], bigrams=False)
    similarity = sparse.triu(vectors @ vectors.T, k=1).tocoo()
    keep = similarity.data >= threshold - 1e-9
    pairs = [
        Pair(int(a), int(b), round(float(v), 4))
        for a, b, v in zip(
            similarity.row[keep], similarity.col[keep], similarity.data[keep], strict=True
        )
    ]
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))
