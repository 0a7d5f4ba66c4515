"""Score the sentences of the retrieved passages against the question and pick the answer.

Every candidate is a whole sentence of a document, so what is quoted is verbatim by
construction. Selection depends on the intent: one or two sentences for a plain question,
one item per enumerated point for a list (diverse, in reading order), the best sentence
of each essay for a comparison, the asked-for item for "the second one".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..ingest.sentences import normalize
from ..retrieve.retriever import Retriever
from ..types import Passage
from .intent import Intent, enumerates, starts_with_ordinal


@dataclass(frozen=True)
class Evidence:
    """A candidate sentence: which passage it came from, where it is, how well it answers."""

    passage: Passage
    row: int  # index into retriever.sentences
    start: int
    end: int
    text: str
    score: float  # dense + lexical match to the question, plus a share of the passage score
    dense: float  # cosine similarity alone, used to judge whether anything answers at all


def gather(
    retriever: Retriever, queries: Sequence[str], passages: Sequence[Passage], intent: Intent
) -> list[Evidence]:
    """Candidate sentences of ``passages``, best first, repeated sentences kept once.

    Each sentence is scored against every wording in ``queries`` (the question with and
    without an author's name) and keeps its best score.
    """
    if not passages:
        return []
    vectors = [(q, retriever.embed_query(q)) for q in dict.fromkeys(queries)]
    found: dict[str, Evidence] = {}
    for passage in passages:
        rows = retriever.passage_sentences(passage)
        if not rows:
            continue
        scores = np.max([retriever.sentence_scores(q, qv, rows) for q, qv in vectors], axis=0)
        dense = np.max([retriever.data.sentence_vectors[rows] @ qv for _, qv in vectors], axis=0)
        for row, score, sim in zip(rows, scores, dense, strict=True):
            sentence = retriever.sentences[row]
            bonus = 0.25 if intent.ordinal and starts_with_ordinal(sentence.text, intent.ordinal) else 0.0
            bonus += 0.1 if intent.list_size and enumerates(sentence.text) else 0.0
            total = float(score) + 0.3 * passage.score + bonus
            key = normalize(sentence.text)
            if key not in found or found[key].score < total:
                found[key] = Evidence(
                    passage, row, sentence.start, sentence.end, sentence.text, total, float(sim)
                )
    return sorted(found.values(), key=lambda e: (-e.score, e.passage.source, e.start))


def select(retriever: Retriever, candidates: Sequence[Evidence], intent: Intent) -> list[Evidence]:
    """The sentences the answer quotes, in the order they should be read."""
    if not candidates:
        return []
    best = candidates[0]
    if intent.list_size:
        items = _enumerated(candidates, intent.list_size, floor=0.5 * best.score)
        if items:
            return _in_reading_order(complete_enumeration(retriever, items, intent.list_size))
        return _in_reading_order(_diverse(candidates, intent.list_size, floor=0.6 * best.score))
    if intent.cross:
        chosen = [best]
        for ev in candidates[1:]:
            if ev.passage.source not in {c.passage.source for c in chosen} and ev.score >= 0.6 * best.score:
                chosen.append(ev)
        return chosen
    chosen = [best]
    for ev in candidates[1:3]:
        if ev.score >= 0.92 * best.score and not intent.ordinal and len(chosen) < 2:
            chosen.append(ev)
    return chosen


def _enumerated(candidates: Sequence[Evidence], size: int, floor: float) -> list[Evidence]:
    """The best-scoring essay's enumerated points ('First, ...', 'Second, ...'), if it has two or more."""
    points = [c for c in candidates if c.score >= floor and enumerates(c.text)]
    by_source: dict[str, list[Evidence]] = {}
    for c in points:
        by_source.setdefault(c.passage.source, []).append(c)
    for source in dict.fromkeys(c.passage.source for c in points):
        items = by_source[source]
        if len(items) >= 2:
            return sorted(items, key=lambda e: -e.score)[:size]
    return []


def complete_enumeration(retriever: Retriever, items: Sequence[Evidence], size: int) -> list[Evidence]:
    """Add the missing points of an enumeration ('Second, ...') found elsewhere in the same essay.

    An essay's points are often too far apart for all of them to be retrieved; once two
    are, the rest are found by their ordinal words, in reading order after the first.
    """
    source = items[0].passage.source
    have = {n for n in (1, 2, 3, 4, 5, -1) for e in items if starts_with_ordinal(e.text, n)}
    first = min(e.start for e in items)
    added = list(items)
    for n in range(1, size + 1):
        if n in have or (n == size and -1 in have):
            continue
        for row, sentence in enumerate(retriever.sentences):
            if sentence.source != source or sentence.end < first - 2000:
                continue
            if starts_with_ordinal(sentence.text, n) or (n == size and starts_with_ordinal(sentence.text, -1)):
                passage = retriever.passage_for_sentence(row, items[-1].passage.score)
                if passage is not None:
                    added.append(Evidence(passage, row, sentence.start, sentence.end, sentence.text, 0.0, 0.0))
                    break
    return added


def _diverse(candidates: Sequence[Evidence], size: int, floor: float) -> list[Evidence]:
    """Maximal-marginal-relevance pick: relevant sentences that do not repeat each other."""
    pool = [c for c in candidates if c.score >= floor]
    chosen: list[Evidence] = []
    while pool and len(chosen) < size:
        def value(ev: Evidence) -> float:
            overlap = max((_word_overlap(ev.text, c.text) for c in chosen), default=0.0)
            return ev.score - 0.5 * overlap

        pick = max(pool, key=value)
        chosen.append(pick)
        pool.remove(pick)
    return chosen


def _in_reading_order(items: Sequence[Evidence]) -> list[Evidence]:
    return sorted(items, key=lambda e: (e.passage.source, e.start))


def _word_overlap(a: str, b: str) -> float:
    wa, wb = set(normalize(a).split()), set(normalize(b).split())
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def dense_best(candidates: Sequence[Evidence]) -> float:
    """The highest cosine similarity of any candidate sentence (0 when there is none)."""
    return float(np.max([c.dense for c in candidates])) if candidates else 0.0
