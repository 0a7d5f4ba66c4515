"""BM25 over short texts, for the exact-term half of hybrid search.

Own scoring on a scipy sparse matrix (as bm25s does) rather than a library's tokenizer, so
tokenisation is shared with quote selection and scores are deterministic across platforms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?%?")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t don say says said think thinks according
    essay essays author authors article text does tell see sees view views argue argues believe
    believes mention mentions mentioned discuss discusses talk talks compare opinion writer piece""".split()
)


_DOTTED = re.compile(r"\b(?:[^\W\d_]{1,2}\.){2,}")  # "U.S.", "Ph.D.", "M.P.A."


def terms(text: str) -> list[str]:
    """Lower-case content words, lightly stemmed (plural and possessive endings).

    Dotted abbreviations are read as one word ("Ph.D." -> "phd"), as users type them.
    """
    if "." in text:
        text = _DOTTED.sub(lambda m: m.group().replace(".", " ").replace(" ", "") + " ", text)
    return [t for t in map(_term, _WORD.findall(text.lower().replace("’", "'"))) if t]


def holds_terms(held: Collection[str], wanted: Sequence[str]) -> bool:
    """True when every term of ``wanted`` is one of the terms ``held`` (``set(terms(text))``), or
    shares its first five letters with one ("commuting" finds "commute"): the test of whether a
    text takes up a named topic."""
    prefixes = {w[:5] for w in held}
    return all(t in held or t[:5] in prefixes for t in wanted)


@lru_cache(maxsize=1 << 17)
def _term(word: str) -> str:
    """A lower-case word as a search term, or "" for a stopword or a single letter (cached:
    an index build reads millions of words, a few tens of thousands of them distinct)."""
    word = word.split("'")[0] if word.endswith(("'s", "'")) else word
    if word in STOPWORDS or len(word) < 2 and not word.isdigit():
        return ""
    return stem(word)


def stem(word: str) -> str:
    """Strip a plural ending: 'tariffs' -> 'tariff', 'policies' -> 'policy'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class TermCounts:
    """How often each text holds each search term (BM25's input), as sparse rows. The index
    stores it, so that opening an index does not tokenise the whole corpus again."""

    vocabulary: tuple[str, ...]  # sorted
    indptr: np.ndarray  # int64, one more than the texts: row i is ids[indptr[i]:indptr[i + 1]]
    ids: np.ndarray  # int32 positions in vocabulary
    counts: np.ndarray  # int32, how often


@dataclass(frozen=True)
class Counted:
    """An earlier ``TermCounts`` and the text each of its rows counts: rows a rebuild reuses."""

    table: TermCounts
    rows: Mapping[str, int]  # text -> its row in table


def count_terms(texts: Sequence[str], earlier: Counted | None = None) -> TermCounts:
    """The search terms (see ``terms``) of every text, counted; a text ``earlier`` counted
    keeps its row (the same counts, renumbered to this vocabulary), so a rebuild tokenises
    only new text."""
    old = [earlier.rows.get(t, -1) for t in texts] if earlier else [-1] * len(texts)
    fresh = {i: Counter(terms(t)) for i, t in enumerate(texts) if old[i] < 0}
    kept = np.array([r for r in old if r >= 0], dtype=np.int64)
    before = earlier.table if earlier else TermCounts((), np.zeros(1, dtype=np.int64), _NONE, _NONE)
    used = np.unique(before.ids[_row_positions(before.indptr, kept)])
    vocabulary = tuple(sorted({before.vocabulary[i] for i in used}.union(*fresh.values())))
    column = {t: i for i, t in enumerate(vocabulary)}
    renumber = np.zeros(len(before.vocabulary), dtype=np.int32)
    renumber[used] = [column[before.vocabulary[i]] for i in used]
    ids, counts = [], []
    for i, row in enumerate(old):
        if row < 0:
            ids.append(np.fromiter((column[t] for t in fresh[i]), dtype=np.int32, count=len(fresh[i])))
            counts.append(np.fromiter(fresh[i].values(), dtype=np.int32, count=len(fresh[i])))
        else:
            span = slice(before.indptr[row], before.indptr[row + 1])
            ids.append(renumber[before.ids[span]])
            counts.append(before.counts[span])
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in ids])
    return TermCounts(vocabulary, indptr, _joined(ids), _joined(counts))


_NONE = np.zeros(0, dtype=np.int32)


def _row_positions(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in a TermCounts' ids of every entry of ``rows``."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    lengths = indptr[rows + 1] - indptr[rows]
    offsets = np.repeat(indptr[rows] - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(int(lengths.sum()))


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int32) if parts else _NONE


def bm25_weights(counted: TermCounts, k1: float = 1.2, b: float = 0.75) -> Any:
    """Each (text, term) Okapi BM25 weight of ``counted``: a scipy CSC matrix, one row per text and
    one column per term of its vocabulary (index arrays int32 below 2**31 entries, so a stored copy
    is used as it is)."""
    from scipy.sparse import csc_matrix

    n, width = len(counted.indptr) - 1, len(counted.vocabulary)
    row_of = np.repeat(np.arange(n), np.diff(counted.indptr))
    tf = counted.counts.astype(np.float64)
    lengths = np.bincount(row_of, weights=tf, minlength=n)
    avg = float(lengths.mean()) if n else 0.0
    df = np.bincount(counted.ids, minlength=width)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
    values = idf[counted.ids] * tf * (k1 + 1) / (tf + norm[row_of])
    weights = csc_matrix((values, (row_of, counted.ids)), shape=(n, width), dtype=np.float32)
    index = np.int32 if weights.nnz < 2**31 else np.int64
    weights.indices, weights.indptr = weights.indices.astype(index), weights.indptr.astype(index)
    return weights


class BM25:
    """Okapi BM25 scores of a query against a fixed list of texts.

    Each (text, term) weight is computed once, into a sparse matrix (``bm25_weights``: one column
    per term), so a query costs one sparse product over the columns of its terms, not a Python
    loop over every text per term. Scores equal the loop's to float32 rounding. An index stores
    the matrix, memory-mapped at load: then nothing is computed and nothing copied.
    """

    def __init__(self, texts: Sequence[str] | TermCounts, k1: float = 1.2, b: float = 0.75,
                 weights: Any = None) -> None:  # fmt: skip
        """``weights``: the matrix ``bm25_weights`` gave for ``texts`` (a TermCounts) with ``k1`` and ``b``."""
        counted = texts if isinstance(texts, TermCounts) else count_terms(texts)
        self._weights = bm25_weights(counted, k1, b) if weights is None else weights
        self.terms = frozenset(counted.vocabulary[i] for i in np.flatnonzero(np.diff(self._weights.indptr)))
        self._column = {t: i for i, t in enumerate(counted.vocabulary)}

    def spread(self, term: str) -> int:
        """How many texts hold ``term`` (0 for a term none holds)."""
        column = self._column.get(term)
        return 0 if column is None else int(self._weights.indptr[column + 1] - self._weights.indptr[column])

    def scores(self, query: str, extra: Sequence[str] = (), extra_weight: float = 0.5) -> np.ndarray:
        """One score per text; 0 where no query term occurs.

        ``extra`` terms (already stemmed: words related to the query's, see related.py)
        count ``extra_weight`` times as much as the query's own.
        """
        own = set(terms(query))
        weighted = [(t, 1.0) for t in own] + [(t, extra_weight) for t in dict.fromkeys(extra) if t not in own]
        known = [(self._column[t], w) for t, w in weighted if t in self._column]
        if not known:
            return np.zeros(self._weights.shape[0], dtype=np.float32)
        columns, weights = zip(*known, strict=True)
        picked = self._weights[:, list(columns)]
        return np.asarray(picked @ np.array(weights, dtype=np.float32), dtype=np.float32).ravel()
