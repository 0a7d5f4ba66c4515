"""The report of an evaluation run: summary metrics, breakdowns, per-case details, JSON.

``summary`` has exactly the keys of :data:`rag.eval.scoring.SUMMARY_KEYS`; ``by_kind`` and
``by_split`` hold the same metrics per ``kind`` / ``split`` label (``"(none)"`` for cases
without one), in order of first appearance in the question set. Metric definitions are in
docs/EVAL.md; a metric no case applies to is ``None`` (JSON ``null``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .scoring import CaseResult, summarize

Metrics = Mapping[str, float | int | None]
NO_LABEL = "(none)"


@dataclass(frozen=True)
class EvalReport:
    """What `rag eval` and :func:`rag.eval.run_eval` produce."""

    summary: Metrics
    by_kind: Mapping[str, Metrics]
    by_split: Mapping[str, Metrics]
    cases: tuple[CaseResult, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        """The cases that did not pass, in question-set order."""
        return tuple(r for r in self.cases if not r.passed)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: summary, by_kind, by_split, cases, meta."""
        return {
            "summary": dict(self.summary),
            "by_kind": {k: dict(v) for k, v in self.by_kind.items()},
            "by_split": {k: dict(v) for k, v in self.by_split.items()},
            "cases": [case_to_dict(r) for r in self.cases],
            "meta": dict(self.meta),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def write_json(self, path: str | Path) -> None:
        write_text(path, self.to_json())


def build_report(results: Sequence[CaseResult], meta: Mapping[str, Any] | None = None) -> EvalReport:
    """Summarise case results overall, per kind and per split."""
    return EvalReport(
        summary=summarize(results),
        by_kind=_grouped(results, lambda r: r.case.kind),
        by_split=_grouped(results, lambda r: r.case.split),
        cases=tuple(results),
        meta=dict(meta or {}),
    )


def _grouped(results: Sequence[CaseResult], label: Callable[[CaseResult], str | None]) -> dict[str, Metrics]:
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        groups.setdefault(label(r) or NO_LABEL, []).append(r)
    return {name: summarize(members) for name, members in groups.items()}


def case_to_dict(r: CaseResult) -> dict[str, Any]:
    """One case of the JSON report."""
    c = r.case
    retrieval = None
    if r.retrieval is not None:
        s = r.retrieval
        retrieval = {
            "first_rank": s.first_rank,
            "hit@1": s.hit(1),
            "hit@3": s.hit(3),
            "hit@5": s.hit(5),
            "reciprocal_rank": round(s.reciprocal_rank, 6),
            "quote_recall@5": round(s.quote_recall, 6),
            "quote_ranks": list(s.quote_ranks),
        }
    return {
        "id": c.id,
        "question": c.question,
        "kind": c.kind,
        "split": c.split,
        "history": list(c.history),
        "sources": list(c.sources),
        "passed": r.passed,
        "reasons": list(r.reasons),
        "search_query": r.search_query,
        "retrieval": retrieval,
        "passages": [
            {
                "rank": p.rank,
                "source": p.source,
                "start": p.start,
                "end": p.end,
                "score": p.score,
                "gold": p.gold,
                "quote": p.quote,
            }
            for p in r.passages
        ],
        "answer": r.answer_text,
        "refused": r.refused,
        "hedged": r.hedged,
        "confidence": r.confidence,
        "citations": [
            {
                "number": x.number,
                "source": x.source,
                "quote": x.quote,
                "quote_start": x.quote_start,
                "quote_end": x.quote_end,
                "verbatim": x.verbatim,
            }
            for x in r.citations
        ],
        "latency_ms": r.latency_ms,
    }


def write_text(path: str | Path, text: str) -> None:
    """Write a report file into a folder that exists (never creates folders: a typo would
    otherwise make them anywhere the user can write)."""
    Path(path).write_text(text, encoding="utf-8")
