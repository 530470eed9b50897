"""Groups found in the texts that no bundled theme covers."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2
from scipy.sparse.linalg import svds

from miroir.text.themes import themes_of_stems
from miroir.text.tokens import check_language, stems_with_forms
from miroir.text.vectors import tfidf


@dataclass(frozen=True, slots=True)
class Group:
    """Texts about the same thing: ``members`` are indexes into the texts, ``terms`` top words."""

    label: str
    terms: tuple[str, ...]
    members: tuple[int, ...]


def find_groups(
    texts: Sequence[str],
    *,
    language: str,
    min_size: int,
    max_groups: int,
    seed: int = 0,
) -> list[Group]:
    """Return groups among the texts no bundled theme covers, largest first.

    TF-IDF of the uncovered texts, reduced to a few dimensions by a truncated SVD, then
    spherical k-means; groups smaller than ``min_size`` are dropped, so a group never
    describes fewer texts than the caller's anonymity threshold.
    """
    check_language(language)
    if min_size < 1 or max_groups < 1:
        raise ValueError("min_size and max_groups must be at least 1.")
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    uncovered: list[int] = []
    documents: list[list[str]] = []
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"Text {index} is a {type(text).__name__}, not a string.")
        pairs = list(stems_with_forms(text, language))
        words = [stem for stem, _ in pairs]
        if not words or themes_of_stems(words, language):
            continue
        for stem, form in pairs:
            forms[stem][form] += 1
        uncovered.append(index)
        documents.append(words)
    if len(uncovered) < min_size:
        return []
    vectors, terms = tfidf(documents, bigrams=False, min_df=2)
    if vectors.shape[1] < 2:
        return []
    k = max(1, min(max_groups, len(uncovered) // min_size))
    dims = min(50, vectors.shape[1] - 1, vectors.shape[0] - 1)
    if dims >= 2:
        u, s, _ = svds(vectors.astype(np.float64), k=dims, random_state=seed)
        points = u * s
    else:
        points = vectors.toarray()
    norms = np.linalg.norm(points, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    points = points / norms
    rng = np.random.default_rng(seed)
    _, labels = kmeans2(points, k, minit="++", seed=rng)
    groups = []
    for cluster in range(k):
        rows = np.flatnonzero(labels == cluster)
        if len(rows) < min_size:
            continue
        weights = np.asarray(vectors[rows].sum(axis=0)).ravel()
        top = [terms[i] for i in np.argsort(-weights)[:5] if weights[i] > 0]
        terms_shown = tuple(forms[t].most_common(1)[0][0] for t in top)
        if not terms_shown:
            continue
        groups.append(
            Group(", ".join(terms_shown[:3]), terms_shown, tuple(uncovered[r] for r in rows))
        )
    return sorted(groups, key=lambda g: (-len(g.members), g.label))
