"""Correct a question's misspelt words to the essays' own: "waht tarrifs does japn face?" asks
"what tariff does japan face?".

A word is corrected only when it is no word of the essays, no common function word and no whole
word of the model's vocabulary (about 20,000 common English words, so "trade" is never
"corrected" to "grade" in essays that never say "trade"). It becomes the essays' word that is
fewest edits away (a letter dropped, added, changed, or two swapped: one edit for a word of up
to five letters, two for a longer one), starting with the same letter; of several, the one
most texts use. The question's first word may instead be a question word one edit away ("waht",
"wich"). A capitalised word past the first may be a name the essays lack, so it is allowed one
edit only ("Hiroshma" is "Hiroshima"; a name the model knows, "Biden", is never touched). BM25 matches
no misspelt word, and the model reads one as unrelated word pieces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

from .lexical import STOPWORDS, stem

_WORD = re.compile(r"[A-Za-z]{4,}")
_OPENING = re.compile(r"^\W*$")
QUESTION_WORDS = ("what", "which", "where", "when", "whom", "whose", "does", "were", "have", "could", "should", "would")
SHORT = 5  # letters up to which a word is allowed one edit, beyond which two


class Speller:
    """The essays' words by first letter, to correct a question's misspelt words against (see module doc)."""

    def __init__(self, vocabulary: Iterable[str], known: Collection[str], spread: Callable[[str], int]) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.known = known
        self.spread = spread
        self._by_letter: dict[str, list[str]] = {}
        for term in sorted(self.vocabulary):
            if term.isalpha():
                self._by_letter.setdefault(term[0], []).append(term)

    def corrected(self, text: str) -> str:
        """``text`` with each misspelt word replaced by its correction."""
        return _WORD.sub(lambda m: self._fix(m.group(), opening=bool(_OPENING.match(text[: m.start()]))), text)

    def _fix(self, word: str, opening: bool) -> str:
        lower = word.lower()
        name = word[0].isupper() and not opening
        if lower in self.known or lower in STOPWORDS or lower in self.vocabulary or stem(lower) in self.vocabulary:
            return word
        if opening:
            asked = [w for w in QUESTION_WORDS if distance(lower, w, 1) <= 1]
            if asked:
                return _cased(asked[0], word)
        limit = 1 if len(lower) <= SHORT or name else 2
        near = [(d, t) for t in self._by_letter.get(lower[0], ())
                if abs(len(t) - len(lower)) <= limit and (d := distance(lower, t, limit)) <= limit]  # fmt: skip
        if not near:
            return word
        best = min(near, key=lambda pair: (pair[0], -self.spread(pair[1]), pair[1]))[1]
        return _cased(best, word)


def distance(a: str, b: str, limit: int) -> int:
    """Edits from ``a`` to ``b`` (optimal string alignment: drops, adds, changes, swaps of two
    neighbours), or ``limit + 1`` as soon as it is sure to exceed ``limit``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _cased(correction: str, typed: str) -> str:
    """The correction capitalised as the typed word was."""
    return correction.capitalize() if typed[0].isupper() else correction
