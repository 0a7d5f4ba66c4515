"""What the reader sees of a (question, candidate sentence) pair: one fixed-length vector.

A few dozen numbers, all defined the same way for SQuAD training pairs and for the sentences
of an indexed essay, so what is learnt on one applies to the other:

- meaning: the cosine of the question with the sentence and with its paragraph neighbours
  (the raw vectors, multiplied element by element, were tried as inputs too: they fit the
  training articles better and the held-out ones worse, see docs/READER.md);
- words: how much of the question (weighted by rarity) the sentence, its neighbours and the
  document title contain, exactly and by nearest word vector ("rise" meets "rose"), and how
  much the sentence says beyond the question;
- answer type: the question's wh-word and whether the sentence holds a date, a number, a
  percentage, an amount of money or a name the question does not already use;
- standing: how far the sentence's cosine and word overlap fall short of the best candidate's
  (so the reader compares sentences, not only judges each alone).

Everything here is numpy and regular expressions; no torch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..ingest.sentences import is_heading, is_question
from ..retrieve.lexical import terms

WH_TYPES = ("who", "when", "where", "how many", "how much", "what year", "why", "how", "which", "what", "other")
_WH = [
    ("what year", re.compile(r"\b(what|which|in what) (year|decade|century|date|month|day)\b")),
    ("how many", re.compile(r"\bhow many\b")),
    ("how much", re.compile(r"\bhow (much|long|far|big|large|old|often|tall|high)\b")),
    ("who", re.compile(r"\b(who|whom|whose)\b")),
    ("when", re.compile(r"\bwhen\b")),
    ("where", re.compile(r"\bwhere\b")),
    ("why", re.compile(r"\bwhy\b|\bfor what reason\b")),
    ("how", re.compile(r"\bhow\b")),
    ("which", re.compile(r"\bwhich\b")),
    ("what", re.compile(r"\bwhat\b")),
]
# "May" only capitalised: "which may have to be addressed" holds no date
_MONTHS = "january|february|march|april|(?-i:May)|june|july|august|september|october|november|december"
DATE = re.compile(
    rf"\b(\d{{3,4}}s?|\d{{1,4}}\s*(?:BCE?|CE|AD|B\.C\.|A\.D\.)|(?:{_MONTHS})|"
    r"\d{1,2}(?:st|nd|rd|th) centur(?:y|ies)|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    r"nineteenth|twentieth|twenty-first) centur(?:y|ies))\b",
    re.I,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    "hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens|half|third|thirds|quarter"
)
NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
_DIGITS = re.compile(r"\d[\d,.]*")
_PERCENT = re.compile(r"\d\s*%|\bper ?cent\b|\bpercentage\b", re.I)
_MONEY = re.compile(r"[$€£¥]\s*\d|\b\d[\d,.]*\s*(?:dollars|euros|pounds|yen|won)\b", re.I)
_CAPITAL = re.compile(r"\b[A-Z][\w'-]+")

SCALARS = (
    "cosine", "cosine_before", "cosine_after", "has_before", "has_after", "overlap", "rare_overlap",
    "context_overlap", "title_overlap", "bigram_overlap", "novel_words", "sentence_words", "question_words",
    "has_date", "has_number", "new_number", "has_percent", "has_money", "new_name", "is_heading",
    "is_question", "short", "soft_overlap", "cosine_gap", "rare_overlap_gap", "context_overlap_gap",
    "soft_overlap_gap", "cosine_rank",
)  # fmt: skip
_RELATIVE = {"cosine_gap": "cosine", "rare_overlap_gap": "rare_overlap", "context_overlap_gap": "context_overlap",
             "soft_overlap_gap": "soft_overlap"}  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A sentence to read, with its vector, its paragraph neighbours' vectors and its document's title."""

    text: str
    vector: np.ndarray
    before: np.ndarray | None  # the previous sentence of the same paragraph, if any
    after: np.ndarray | None  # the next sentence of the same paragraph, if any
    context: str  # the neighbours' text
    title: str


def wh_type(question: str) -> str:
    """The kind of question: 'who', 'when', 'how many', ... or 'other'."""
    q = question.lower()
    return next((name for name, pattern in _WH if pattern.search(q)), "other")


def feature_width() -> int:
    """How many numbers ``features`` gives per candidate."""
    return len(SCALARS) + len(WH_TYPES)


def features(
    question: str,
    qv: np.ndarray,
    candidates: Sequence[Candidate],
    idf: Mapping[str, float],
    lexicon: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """One row of ``feature_width()`` float32 numbers per candidate (see the module docstring).

    ``idf`` weighs the question's words by rarity; ``lexicon`` holds unit word vectors for the
    search terms (see lexical.terms) of the question and the candidates, for near matches.
    """
    n = len(candidates)
    out = np.zeros((n, feature_width()), dtype=np.float32)
    if n == 0:
        return out
    vectors = np.stack([c.vector for c in candidates]).astype(np.float32)
    q_terms = terms(question)
    q_set = set(q_terms)
    fallback = max(idf.values(), default=1.0)
    weight = {t: idf.get(t, fallback) for t in q_set}
    total = sum(weight.values()) or 1.0
    q_numbers = set(_DIGITS.findall(question))
    q_lower = {w.lower() for w in re.findall(r"[\w'-]+", question)}
    wh = wh_type(question)
    words = lexicon or {}
    q_known = [t for t in q_set if t in words]
    q_matrix = np.stack([words[t] for t in q_known]) if q_known else None
    for i, c in enumerate(candidates):
        facts = _facts(c.text)
        s_terms, s_set = facts.terms, set(facts.terms)
        c_set, t_set = set(_facts(c.context).terms), set(_facts(c.title).terms)
        names = [m for m in facts.names if m.lower() not in q_lower]
        scalars = [
            float(vectors[i] @ qv),
            float(c.before @ qv) if c.before is not None else 0.0,
            float(c.after @ qv) if c.after is not None else 0.0,
            float(c.before is not None),
            float(c.after is not None),
            len(q_set & s_set) / max(1, len(q_set)),
            sum(weight[t] for t in q_set & s_set) / total,
            sum(weight[t] for t in q_set & (s_set | c_set)) / total,
            sum(weight[t] for t in q_set & t_set) / total,
            _bigram_share(q_terms, s_terms),
            math.log1p(len(s_set - q_set - t_set)),
            math.log1p(len(s_terms)),
            math.log1p(len(q_terms)),
            facts.date,
            facts.number,
            float(bool(facts.digits - q_numbers)),
            facts.percent,
            facts.money,
            math.log1p(len(names)),
            facts.heading,
            facts.question,
            float(len(s_terms) < 4),
            _soft_overlap(q_set, weight, total, s_set, q_known, q_matrix, words),
        ]
        out[i, : len(scalars)] = scalars
        out[i, len(SCALARS) + WH_TYPES.index(wh)] = 1.0
    for name, of in _RELATIVE.items():
        column = out[:, SCALARS.index(of)]
        out[:, SCALARS.index(name)] = column - column.max()
    rank = np.argsort(np.argsort(-out[:, 0]))
    out[:, SCALARS.index("cosine_rank")] = 1.0 / (1.0 + rank)
    return out


@dataclass(frozen=True)
class _Facts:
    """What ``features`` reads off one text, whatever the question (cached per text)."""

    terms: tuple[str, ...]
    names: tuple[str, ...]
    digits: frozenset[str]
    date: float
    number: float
    percent: float
    money: float
    heading: float
    question: float


@lru_cache(maxsize=65536)
def _facts(text: str) -> _Facts:
    return _Facts(
        tuple(terms(text)), tuple(_CAPITAL.findall(text)), frozenset(_DIGITS.findall(text)),
        float(bool(DATE.search(text))), float(bool(NUMBER.search(text))), float(bool(_PERCENT.search(text))),
        float(bool(_MONEY.search(text))), float(is_heading(text)), float(is_question(text)),
    )  # fmt: skip


def _soft_overlap(
    q_set: set[str], weight: Mapping[str, float], total: float, s_set: set[str],
    q_known: Sequence[str], q_matrix: np.ndarray | None, words: Mapping[str, np.ndarray],
) -> float:
    """Rarity-weighted share of the question's words met in the sentence, each counted by its
    best cosine to a sentence word (1 for the word itself)."""
    best = {t: 1.0 for t in q_set & s_set}
    s_known = [u for u in s_set if u in words]
    if q_matrix is not None and s_known:
        sims = (q_matrix @ np.stack([words[u] for u in s_known]).T).max(axis=1)
        for t, sim in zip(q_known, sims, strict=True):
            best[t] = max(best.get(t, 0.0), float(sim), 0.0)
    return sum(weight[t] * b for t, b in best.items()) / total


def _bigram_share(q_terms: Sequence[str], s_terms: Sequence[str]) -> float:
    """Share of the question's consecutive word pairs that the sentence also has."""
    q_pairs = set(zip(q_terms, q_terms[1:]))
    if not q_pairs:
        return 0.0
    return len(q_pairs & set(zip(s_terms, s_terms[1:]))) / len(q_pairs)
