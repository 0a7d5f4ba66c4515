"""BM25 over short texts, for the exact-term half of hybrid search.

Own scoring on a scipy sparse matrix (as bm25s does) rather than a library's tokenizer, so
tokenisation is shared with quote selection and scores are deterministic across platforms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

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
    out = []
    text = _DOTTED.sub(lambda m: m.group().replace(".", " ").replace(" ", "") + " ", text)
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = word.split("'")[0] if word.endswith(("'s", "'")) else word
        if word in STOPWORDS or len(word) < 2 and not word.isdigit():
            continue
        out.append(stem(word))
    return out


def stem(word: str) -> str:
    """Strip a plural ending: 'tariffs' -> 'tariff', 'policies' -> 'policy'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class BM25:
    """Okapi BM25 scores of a query against a fixed list of texts.

    Each (text, term) weight is computed once, into a sparse matrix (scipy CSC, one column per
    term), so a query costs one sparse product over the columns of its terms, not a Python
    loop over every text per term. Scores equal the loop's to float32 rounding.
    """

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        from scipy.sparse import csc_matrix

        counts = [Counter(terms(t)) for t in texts]
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float64)
        avg = float(lengths.mean()) if len(counts) else 0.0
        df: Counter[str] = Counter()
        for count in counts:
            df.update(count.keys())
        n = len(counts)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._column = {t: i for i, t in enumerate(self.idf)}
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        rows, cols, values = [], [], []
        for row, count in enumerate(counts):
            for term, tf in count.items():
                rows.append(row)
                cols.append(self._column[term])
                values.append(self.idf[term] * tf * (k1 + 1) / (tf + norm[row]))
        self._weights = csc_matrix((values, (rows, cols)), shape=(n, len(self._column)), dtype=np.float32)

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
