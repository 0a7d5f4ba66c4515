"""A small BM25 over short texts, for the exact-term half of hybrid search.

Own implementation (numpy, ~50 lines) rather than a library, so tokenisation is shared
with quote selection and scores are deterministic across platforms.
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
    """Okapi BM25 scores of a query against a fixed list of texts."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs = [Counter(terms(t)) for t in texts]
        self.lengths = np.array([sum(d.values()) for d in self.docs], dtype=np.float32)
        self.avg = float(self.lengths.mean()) if len(self.docs) else 0.0
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str, extra: Sequence[str] = (), extra_weight: float = 0.5) -> np.ndarray:
        """One score per text; 0 where no query term occurs.

        ``extra`` terms (already stemmed: words related to the query's, see related.py)
        count ``extra_weight`` times as much as the query's own.
        """
        out = np.zeros(len(self.docs), dtype=np.float32)
        if not self.docs:
            return out
        norm = self.k1 * (1 - self.b + self.b * self.lengths / max(self.avg, 1e-9))
        own = set(terms(query))
        weighted = [(t, 1.0) for t in own] + [(t, extra_weight) for t in dict.fromkeys(extra) if t not in own]
        for term, weight in weighted:
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = np.array([d.get(term, 0) for d in self.docs], dtype=np.float32)
            out += weight * idf * tf * (self.k1 + 1) / (tf + norm)
        return out
