"""The essays' own words for a user's word, found with the embedding model.

Users ask with their words; an essay may use others ("military" / "navy", "office" /
"workplace", "Congress" / "representatives"), and a spun essay swaps many on purpose.
BM25 scores a word the essays never use as nothing. Every word the essays do use is
embedded at index time, so a question word outside that vocabulary is matched to its
nearest essay words, which then count in the exact-term half of search and quoting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

MIN_SIMILARITY = 0.6  # cosine between a question word and an essay word (chosen on tune + dev, bench/RESULTS.md)
PER_WORD = 2  # essay words added for each question word
RELATED_WEIGHT = 0.5  # an added word counts half as much in BM25 as one the user typed


def related_terms(
    words: Sequence[str],
    vocabulary: Sequence[str],
    vectors: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    min_similarity: float = MIN_SIMILARITY,
) -> list[str]:
    """Essay words (from ``vocabulary``, embedded as ``vectors``) close to each of ``words``
    that the essays never use; ``embed`` turns words into unit vectors in the same space."""
    known = set(vocabulary)
    unknown = [w for w in dict.fromkeys(words) if w not in known and not w.isdigit()]
    if not unknown or not len(vocabulary):
        return []
    similarity = embed(unknown) @ vectors.T  # one row per unknown word
    found: list[str] = []
    for row in similarity:
        for col in np.argsort(-row)[:PER_WORD]:
            if row[col] >= min_similarity and vocabulary[col] not in found:
                found.append(vocabulary[col])
    return found
