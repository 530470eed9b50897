"""TF-IDF vectors over stems, as SciPy sparse matrices with unit-length rows."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from scipy import sparse


def tfidf(
    documents: Sequence[Sequence[str]], *, bigrams: bool = True, min_df: int = 1
) -> tuple[sparse.csr_matrix, list[str]]:
    """Return the L2-normalised TF-IDF matrix of ``documents`` (lists of stems) and its terms.

    Term frequency is sublinear (1 + log tf) so a word repeated in a rant does not drown the
    rest; idf is smoothed, ``log((1 + n) / (1 + df)) + 1``. Bigrams of consecutive stems are
    added when ``bigrams`` is true, which separates "carte fidélité" from "carte" alone.
    """
    vocabulary: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    counts: list[float] = []
    for words in documents:
        terms: dict[int, int] = {}
        grams = list(words)
        if bigrams:
            grams += [f"{a} {b}" for a, b in itertools.pairwise(words)]
        for gram in grams:
            index = vocabulary.setdefault(gram, len(vocabulary))
            terms[index] = terms.get(index, 0) + 1
        indices.extend(terms)
        counts.extend(terms.values())
        indptr.append(len(indices))
    n_docs = len(documents)
    matrix = sparse.csr_matrix(
        (np.asarray(counts, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(n_docs, len(vocabulary)),
    )
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    if min_df > 1:
        keep = np.flatnonzero(df >= min_df)
        matrix = matrix[:, keep]
        df = df[keep]
        inverse = {index: term for term, index in vocabulary.items()}
        terms_list = [inverse[int(i)] for i in keep]
    else:
        terms_list = [""] * len(vocabulary)
        for term, index in vocabulary.items():
            terms_list[index] = term
    matrix.data = 1.0 + np.log(matrix.data)
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms) @ matrix
    return sparse.csr_matrix(matrix), terms_list
