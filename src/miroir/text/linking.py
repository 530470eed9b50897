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
CHUNK = 20_000


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
    left_n = np.asarray(left_t.sum(axis=1)).ravel()
    right_n = np.asarray(right_t.sum(axis=1)).ravel()
    found_s, found_c, found_v = [], [], []
    # Complaints in chunks: with 100,000 complaints most suggestions share a common word with
    # a third of them, and the full score matrix would not fit in memory before thresholding.
    for first in range(0, right.shape[0], CHUNK):
        last = min(first + CHUNK, right.shape[0])
        shared = sparse.csr_matrix(left_t @ right_t[first:last].T)
        rows = np.repeat(np.arange(shared.shape[0]), np.diff(shared.indptr))
        shared.data = shared.data / np.minimum(left_n[rows], right_n[first + shared.indices])
        score = sparse.coo_matrix(left @ right[first:last].T + THEME_WEIGHT * shared)
        keep = score.data >= threshold
        found_s.append(score.row[keep])
        found_c.append(score.col[keep] + first)
        found_v.append(score.data[keep])
    s_index = np.concatenate(found_s)
    c_index = np.concatenate(found_c)
    values = np.concatenate(found_v)
    order = np.lexsort((c_index, -values, s_index))
    offset = len(suggestions)
    out: list[Link] = []
    for s, c, value in zip(
        s_index[order].tolist(), c_index[order].tolist(), values[order].tolist(), strict=True
    ):
        c_themes = themes[offset + c]
        shared_themes = tuple(t for t in themes[s] if t in c_themes)
        out.append(Link(s, c, round(value, 4), shared_themes))
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
    pairs = []
    for first in range(0, len(texts), CHUNK):
        last = min(first + CHUNK, len(texts))
        block = sparse.coo_matrix(vectors[first:last] @ vectors[first:].T)
        # Each pair once: the second text comes after the first.
        keep = (block.data >= threshold - 1e-9) & (block.col > block.row)
        pairs += [
            Pair(first + a, first + b, round(v, 4))
            for a, b, v in zip(
                block.row[keep].tolist(),
                block.col[keep].tolist(),
                block.data[keep].tolist(),
                strict=True,
            )
        ]
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))
