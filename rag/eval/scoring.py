"""Deterministic scoring of one case, and the summary metrics over many (QUESTIONSET.md).

Everything here is a pure function of dataclasses: passages, answers, cases and the
documents' texts (``{source: text}``). Nothing calls a model.

Retrieval: a gold quote is *found* by a passage when the passage's character span in its
document overlaps at least half of the quote's span, for any occurrence of the quote in any
of the case's sources. Answers: every keyword in the text (case-insensitive, whitespace
collapsed), at least one citation of a case source, every shown quote verbatim in its
cited document at its offsets. Out-of-scope cases (``sources: []``) pass on a refusal flag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..types import Answer, Passage
from .questionset import Case

# The keys of a report's summary, in order (docs/EVAL.md defines each).
SUMMARY_KEYS = (
    "cases",
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr",
    "quote_recall@5",
    "answer_pass",
    "refusal_accuracy",
    "false_refusal_rate",
    "citation_validity",
    "latency_ms_p50",
    "latency_ms_p95",
)
LATENCY_KEYS = ("latency_ms_p50", "latency_ms_p95")
RECALL_DEPTH = 5  # quote recall is measured in the top 5


def collapse(text: str) -> str:
    """Lowercased text with every run of whitespace turned into one space."""
    return " ".join(text.lower().split())


# -- retrieval -----------------------------------------------------------------------------
def quote_spans(quote: str, sources: Sequence[str], documents: Mapping[str, str]) -> list[tuple[str, int, int]]:
    """Every occurrence of ``quote`` in the named documents, as (source, start, end)."""
    spans: list[tuple[str, int, int]] = []
    for source in sources:
        text = documents.get(source, "")
        at = text.find(quote)
        while quote and at >= 0:
            spans.append((source, at, at + len(quote)))
            at = text.find(quote, at + 1)
    return spans


def covers(passage: Passage, spans: Sequence[tuple[str, int, int]]) -> bool:
    """True when the passage overlaps at least half of one of the quote's spans."""
    for source, start, end in spans:
        if passage.source != source:
            continue
        overlap = min(passage.end, end) - max(passage.start, start)
        if overlap > 0 and 2 * overlap >= end - start:
            return True
    return False


@dataclass(frozen=True)
class RetrievalScore:
    """Where a case's gold quotes were found among the retrieved passages (ranks from 1)."""

    quote_ranks: tuple[int | None, ...]  # per gold quote: best rank that found it, or None
    passage_gold: tuple[bool, ...]  # per retrieved passage: does it find any gold quote

    @property
    def first_rank(self) -> int | None:
        """Rank of the first passage that finds any gold quote."""
        ranks = [r for r in self.quote_ranks if r is not None]
        return min(ranks) if ranks else None

    def hit(self, k: int) -> bool:
        """Some gold quote was found within the top ``k``."""
        first = self.first_rank
        return first is not None and first <= k

    @property
    def reciprocal_rank(self) -> float:
        first = self.first_rank
        return 0.0 if first is None else 1.0 / first

    @property
    def quote_recall(self) -> float:
        """Share of the gold quotes found in the top 5."""
        found = sum(1 for r in self.quote_ranks if r is not None and r <= RECALL_DEPTH)
        return found / len(self.quote_ranks) if self.quote_ranks else 0.0


def score_retrieval(
    passages: Sequence[Passage], case: Case, documents: Mapping[str, str]
) -> RetrievalScore | None:
    """Span-overlap retrieval score; None for an out-of-scope case or one without gold quotes."""
    if case.out_of_scope or not case.gold_quotes:
        return None
    spans = [quote_spans(q, case.sources, documents) for q in case.gold_quotes]
    ranks: list[int | None] = []
    for quote_spans_ in spans:
        found = [rank for rank, p in enumerate(passages, start=1) if covers(p, quote_spans_)]
        ranks.append(found[0] if found else None)
    gold = tuple(any(covers(p, s) for s in spans) for p in passages)
    return RetrievalScore(quote_ranks=tuple(ranks), passage_gold=gold)


# -- answers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CitationCheck:
    """A citation as shown to the user, and whether its quote is verbatim at its offsets."""

    number: int
    source: str
    quote: str
    quote_start: int
    quote_end: int
    verbatim: bool

    @property
    def shown(self) -> bool:
        """A citation with an empty quote shows no quote, so there is nothing to verify."""
        return bool(self.quote)


def check_citations(answer: Answer, documents: Mapping[str, str]) -> tuple[CitationCheck, ...]:
    """Each citation of ``answer`` with its verbatim check against the cited document."""
    checks = []
    for c in answer.citations:
        text = documents.get(c.passage.source)
        ok = (
            text is not None
            and 0 <= c.quote_start <= c.quote_end <= len(text)
            and text[c.quote_start : c.quote_end] == c.quote
        )
        checks.append(CitationCheck(c.number, c.passage.source, c.quote, c.quote_start, c.quote_end, ok))
    return tuple(checks)


def missing_keywords(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords not found in ``text`` (case-insensitive, whitespace collapsed)."""
    haystack = collapse(text)
    return [k for k in keywords if collapse(k) not in haystack]


def answer_reasons(answer: Answer, case: Case, citations: Sequence[CitationCheck]) -> list[str]:
    """Why the answer fails the case; an empty list means it passes."""
    reasons: list[str] = []
    if case.out_of_scope:
        if not answer.refused:
            reasons.append(
                f"expected a refusal (the essays do not answer this) but it answered"
                f" with {len(citations)} citation(s)"
            )
    else:
        if answer.refused:
            reasons.append("false refusal: it said the essays do not cover an answerable question")
        missing = missing_keywords(answer.text, case.answer_keywords)
        if missing:
            reasons.append("answer lacks keyword(s): " + ", ".join(repr(k) for k in missing))
        cited = sorted({c.source for c in citations})
        if not any(c.source in case.sources for c in citations):
            what = "no citation" if not cited else "cited only " + ", ".join(cited)
            reasons.append(f"cites none of the case's sources ({what})")
    for c in citations:
        if c.shown and not c.verbatim:
            reasons.append(
                f"citation [{c.number}] quote is not verbatim in {c.source} at"
                f" {c.quote_start}:{c.quote_end}: {_short(c.quote)!r}"
            )
    return reasons


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- one case's result, and summaries -----------------------------------------------------
@dataclass(frozen=True)
class PassageView:
    """A retrieved passage as reported: rank, where it is, its score and quote."""

    rank: int
    source: str
    start: int
    end: int
    score: float
    quote: str
    gold: bool  # it finds one of the case's gold quotes


@dataclass(frozen=True)
class CaseResult:
    """Everything measured for one case."""

    case: Case
    passages: tuple[PassageView, ...]
    retrieval: RetrievalScore | None
    answer_text: str
    search_query: str
    refused: bool
    citations: tuple[CitationCheck, ...]
    reasons: tuple[str, ...]
    latency_ms: float
    hedged: bool = False  # answered, but saying it may not answer exactly (Answer.hedged)
    confidence: float | None = None  # the reader's probability of a plain answer (Answer.confidence)

    @property
    def passed(self) -> bool:
        return not self.reasons


def passage_views(passages: Sequence[Passage], retrieval: RetrievalScore | None) -> tuple[PassageView, ...]:
    """Report views of the retrieved passages, flagged where they find a gold quote."""
    gold = retrieval.passage_gold if retrieval else (False,) * len(passages)
    return tuple(
        PassageView(rank, p.source, p.start, p.end, p.score, p.quote, gold[rank - 1])
        for rank, p in enumerate(passages, start=1)
    )


def summarize(results: Sequence[CaseResult]) -> dict[str, float | int | None]:
    """The summary metrics over ``results`` (keys: SUMMARY_KEYS; None where no case applies)."""
    scored = [r.retrieval for r in results if r.retrieval is not None]
    answerable = [r for r in results if not r.case.out_of_scope]
    out_of_scope = [r for r in results if r.case.out_of_scope]
    shown = [c for r in results for c in r.citations if c.shown]
    latencies = [r.latency_ms for r in results]
    return {
        "cases": len(results),
        "hit@1": _mean([s.hit(1) for s in scored]),
        "hit@3": _mean([s.hit(3) for s in scored]),
        "hit@5": _mean([s.hit(5) for s in scored]),
        "mrr": _mean([s.reciprocal_rank for s in scored]),
        "quote_recall@5": _mean([s.quote_recall for s in scored]),
        "answer_pass": _mean([r.passed for r in answerable]),
        "refusal_accuracy": _mean([r.refused for r in out_of_scope]),
        "false_refusal_rate": _mean([r.refused for r in answerable]),
        "citation_validity": _mean([c.verbatim for c in shown]) if shown else 1.0,
        "latency_ms_p50": _percentile(latencies, 50),
        "latency_ms_p95": _percentile(latencies, 95),
    }


def _mean(values: Sequence[float | bool]) -> float | None:
    return round(sum(float(v) for v in values) / len(values), 6) if values else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default), in ms to 0.1."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    value = ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
    return round(value, 1)
