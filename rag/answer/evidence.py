"""Candidate sentences for an answer: the retrieved passages' sentences, scored against the question.

Every candidate is a whole sentence of a document, so what is quoted is verbatim by
construction. The rule score (dense + lexical match, plus a share of the passage's score) ranks
them, and the reader reads the best few and gives each its probability of answering (``gather``).
A short heading or a bare marker is never a candidate (``quotable``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..ingest.sentences import is_heading, normalize
from ..ingest.structure import SEPARATOR, TEXT, extracted
from ..read.reader import Reader, candidate_text
from ..retrieve.lexical import terms
from ..retrieve.retriever import Retriever
from ..types import Passage, Sentence
from .intent import Intent


@dataclass(frozen=True)
class Evidence:
    """A candidate sentence: which passage it came from, where it is, how well it answers."""

    passage: Passage
    row: int  # index into retriever.sentences
    start: int
    end: int
    text: str
    score: float  # what ranks it (see gather): the reader's probability, or the rule score
    dense: float  # cosine similarity alone, used to judge whether anything answers at all
    probability: float = 0.0  # the reader's P(answers): read candidates of plain questions and lists, else 0


def gather(
    retriever: Retriever, reader: Reader, queries: Sequence[str], passages: Sequence[Passage], intent: Intent,
    asked: str = "",
) -> list[Evidence]:
    """Candidate sentences of ``passages``, best first, repeated sentences kept once.

    Each sentence gets the rule score (dense + lexical match, plus a share of its passage's
    score), the best over every wording in ``queries`` (the question without and with an
    author's name); words are matched on the first wording only, so a name does not pull in
    every sentence that mentions the author. For a plain question, a why-question or a list, the
    reader reads ``asked`` (default: the last wording) with each of the READ_TOP sentences the
    rule score ranks highest, and gives each its probability of answering. Plain questions
    are ranked by that probability, lowered by their passage's place in ``passages``
    (``Reader.ranking``); lists, comparisons, items and reasons by the rule score,
    which the structure of those answers is built on (see ``reads_plainly``), except that a
    why-question's first candidate, its premise, is the reader's pick (``reads_why``). A short
    heading or a bare marker is never a candidate.
    """
    owner = candidate_rows(retriever, passages)
    rows = list(owner)
    if not rows:
        return []
    wordings = list(dict.fromkeys(queries))
    vectors = np.stack([retriever.embed_query(q) for q in wordings])
    dense = (retriever.data.sentence_vectors[rows] @ vectors.T).max(axis=1)
    rules = retriever.sentence_scores(queries[0], vectors, rows, retriever.focus_vector(queries[0]))
    ranks = np.array([float(rule) + 0.3 * owner[row].score for row, rule in zip(rows, rules, strict=True)])
    probability = np.zeros(len(rows), np.float32)
    plain, why = reads_plainly(intent), reads_why(intent)
    if plain or why or intent.list_size:  # a list's lead is the reader's pick (see select)
        top = np.argsort(-ranks, kind="stable")[:READ_TOP]
        probability[top] = reader.probabilities(asked or wordings[-1], [reading_text(retriever, rows[i]) for i in top])
        if plain or why:
            place = {id(p): n for n, p in enumerate(passages)}
            read = reader.ranking(probability, np.array([place[id(owner[r])] for r in rows]))
            if plain:
                ranks = read
            else:  # the premise is the reader's pick, scored as the best; the rest keep the rule score
                ranks[int(np.argmax(read))] = ranks.max() + 1e-6
    found: dict[str, Evidence] = {}
    for row, score, p, sim in zip(rows, ranks, probability, dense, strict=True):
        sentence, passage = retriever.sentences[row], owner[row]
        ev = Evidence(passage, row, sentence.start, sentence.end, sentence.text, float(score), float(sim), float(p))
        key = normalize(ev.text)
        if key not in found or found[key].score < ev.score:
            found[key] = ev
    return sorted(found.values(), key=lambda e: (-e.score, e.passage.source, e.start))


# The sentences the reader reads per question, the rule score's best first: about 30 ms each on
# one core here. On the SQuAD corpus of bench/reader.py, reading the best 10 instead gives 0.779
# first quotes against 0.771, at twice the time; the best 8, 0.833 against 0.828; the best 10 (E68),
# no right answer more on two unseen essay sets (docs/READER.md).
READ_TOP = 5


def reading_text(retriever: Retriever, row: int, after: Sequence[int] = ()) -> str:
    """Sentence ``row`` as the reader reads it: as matched (a table row with its header), then its
    document's title and section path, as the reader was trained (a SQuAD sentence and its article's title).
    With ``after`` (the sentence after it), the start of that is read too, as an answer quoting
    both would read."""
    sentence = retriever.sentences[row]
    title = SEPARATOR.join(t for t in (retriever.document(sentence.source).title, sentence.section) if t)
    text = retriever.reading(row)
    if after:
        words = " ".join(retriever.sentences[r].text for r in after).split()
        text += " " + " ".join(words[:AFTER_WORDS])
    return candidate_text(text, title)


AFTER_WORDS = 40  # of what follows a sentence, what the reader reads with it (its window is 96 tokens)


def candidate_rows(retriever: Retriever, passages: Sequence[Passage]) -> dict[int, Passage]:
    """The quotable sentence rows of ``passages``, each with the first (best) passage holding it."""
    owner: dict[int, Passage] = {}
    for passage in passages:
        for row in retriever.passage_sentences(passage):
            owner.setdefault(row, passage)
    return {r: p for r, p in owner.items() if quotable(retriever.sentences[r])}


def reads_plainly(intent: Intent) -> bool:
    """True for a question the reader was trained for: one fact, asked plainly (SQuAD's kind).

    Lists, comparisons, "the second one" and why-questions are answered by the structure of
    the essay (its enumerations, its reasons), which SQuAD does not teach (a why-question's
    premise excepted: ``reads_why``).
    """
    return not (intent.reason or _shaped(intent))


def reads_why(intent: Intent) -> bool:
    """True for a why-question alone (no list, comparison, item or topic), whose premise is the
    reader's pick: the rule score led "Why were horses not used ...?" with the road's description,
    the reader with "Horses, for their part, did poorly at altitude ..."; the reason after it is
    still found by the rule score (``select``), which SQuAD does not teach."""
    return intent.reason and not _shaped(intent)


def _shaped(intent: Intent) -> bool:
    """True when the answer takes the essay's structure: a list, a comparison, an item or a topic."""
    return bool(intent.list_size or intent.cross or intent.ordinal or intent.says_about)


def quotable(sentence: Sentence) -> bool:
    """False for what is never an answer alone: a short unpunctuated line of prose (a heading the
    structure did not mark; in a PDF, HTML or Word file the extractor marks them all), a bare
    label. List items and table rows need no full stop."""
    words = terms(sentence.text)
    if sentence.kind != TEXT:
        return bool(words)
    heading = is_heading(sentence.text) and not introduces(sentence.text)  # "... four things:" opens a list
    return len(words) >= 2 and not (heading and len(sentence.text.split()) < 8 and not extracted(sentence.source))


_INTRODUCES = re.compile(r"(?::|\b(?:the following|as follows)\W*)$", re.I)


def introduces(sentence: str) -> bool:
    """True for a sentence that hands over to what follows it: "The crew included:", "The main
    suspects were the following."""
    return bool(_INTRODUCES.search(sentence.rstrip()))


def as_evidence(
    retriever: Retriever, rows: Sequence[int], like: Evidence | None = None,
    retrieved: Mapping[int, Passage] | None = None,
) -> list[Evidence]:
    """Sentence ``rows`` as evidence ranked as ``like``, each in the passage that retrieved it
    (``retrieved``, by row) or else the indexed passage that holds it; without ``like``, read from
    the essay rather than ranked (what follows a quote, an essay's central sentences: no score)."""
    found = []
    for r in rows:
        passage = (retrieved or {}).get(r) or retriever.passage_for_sentence(r, like.passage.score if like else 0.0)
        if passage is not None:
            s = retriever.sentences[r]
            found.append(Evidence(passage, r, s.start, s.end, s.text, like.score if like else 1.0,
                                  like.dense if like else 1.0))
    return found


def quoted_in(candidates: Sequence[Evidence], shown: str) -> list[Evidence]:
    """Those of ``candidates`` that ``shown`` (the last answer's text) quotes, best first."""
    seen = normalize(shown)
    return [e for e in candidates if seen and normalize(e.text) in seen]


def same_paragraph(retriever: Retriever, a: Evidence, b: Evidence) -> bool:
    """True when two candidate sentences are in one paragraph."""
    return one_paragraph(retriever, a.row, b.row)


def one_paragraph(retriever: Retriever, a: int, b: int) -> bool:
    """True when sentence rows ``a`` and ``b`` are in one paragraph (one block of one document)."""
    first, second = retriever.sentences[a], retriever.sentences[b]
    return first.source == second.source and first.paragraph == second.paragraph


def in_reading_order(items: Sequence[Evidence]) -> list[Evidence]:
    return sorted(items, key=lambda e: (e.passage.source, e.start))


def dense_best(candidates: Sequence[Evidence]) -> float:
    """The highest cosine similarity of any candidate sentence (0 when there is none)."""
    return float(np.max([c.dense for c in candidates])) if candidates else 0.0


def read_best(candidates: Sequence[Evidence]) -> float:
    """The highest reader probability of any candidate (0 when none was read): what refuses a
    plain question and what hedges its answer, as training/calibrate_answers.py calibrates both."""
    return max((c.probability for c in candidates), default=0.0)
