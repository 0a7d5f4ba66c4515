"""Run a question set through a retriever and an assistant, and score every case.

A follow-up case asks its ``history`` turns first in one conversation (each turn and its
answer appended as ``{"role", "content"}`` messages), then its question; only the last answer
is scored. Retrieval is scored on the passages of the final answer's search:
``retriever.search(answer.search_query or question, k)`` (the resolved question for a follow-up).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..types import Answer, Passage
from .questionset import Case, documents_of, load_question_set
from .report import EvalReport, build_report
from .scoring import CaseResult, answer_reasons, check_citations, passage_views, score_retrieval

OnCase = Callable[[CaseResult], None]


def ask_case(assistant: Any, case: Case) -> tuple[Answer, float]:
    """The final answer to ``case`` (history asked first) and how long that last ask took (ms)."""
    history: list[dict[str, str]] = []
    for turn in case.history:
        earlier = assistant.ask(turn, history=list(history))
        history.append({"role": "user", "content": turn})
        history.append({"role": "assistant", "content": earlier.text})
    started = time.perf_counter()
    answer = assistant.ask(case.question, history=list(history) or None)
    return answer, (time.perf_counter() - started) * 1000.0


def evaluate_case(case: Case, retriever: Any, assistant: Any, documents: dict[str, str], k: int) -> CaseResult:
    """Ask, retrieve and score one case; an exception becomes a failure reason, not a crash."""
    reasons: list[str] = []
    answer: Answer | None = None
    latency = 0.0
    try:
        answer, latency = ask_case(assistant, case)
    except Exception as exc:  # one broken case must not hide the scores of the others
        reasons.append(f"the assistant raised {type(exc).__name__}: {exc}")
    query = (answer.search_query if answer is not None else "") or case.question
    passages: list[Passage] = []
    try:
        passages = retriever.search(query, k=k)
    except Exception as exc:
        reasons.append(f"the retriever raised {type(exc).__name__}: {exc}")
    retrieval = score_retrieval(passages, case, documents)
    citations = check_citations(answer, documents) if answer is not None else ()
    if answer is not None:
        reasons.extend(answer_reasons(answer, case, citations))
    return CaseResult(
        case=case,
        passages=passage_views(passages, retrieval),
        retrieval=retrieval,
        answer_text=answer.text if answer is not None else "",
        search_query=query,
        refused=bool(answer.refused) if answer is not None else False,
        citations=citations,
        reasons=tuple(reasons),
        latency_ms=round(latency, 1),
        hedged=bool(getattr(answer, "hedged", False)),
        confidence=getattr(answer, "confidence", None),
    )


def run_eval(
    questions: str | Path | Sequence[Case],
    retriever: Any,
    assistant: Any = None,
    k: int = 5,
    on_case: OnCase | None = None,
    name: str | None = None,
) -> EvalReport:
    """Score a question set (a YAML path, or validated cases) and return the report.

    ``assistant`` defaults to ``Assistant(retriever, k=k)``. ``on_case`` is called after each
    case (a progress bar hook); ``name`` labels the set in the report (default: its path).
    Raises QuestionSetError for a malformed file.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    documents = documents_of(retriever)
    if isinstance(questions, (str, Path)):
        cases = load_question_set(questions, documents)
        origin = str(questions)
    else:
        cases = tuple(questions)
        origin = "question set"
    if assistant is None:
        from ..answer.assistant import Assistant

        assistant = Assistant(retriever, k=k)
    results = []
    for case in cases:
        result = evaluate_case(case, retriever, assistant, documents, k)
        results.append(result)
        if on_case is not None:
            on_case(result)
    meta = {
        "questions": name or origin,
        "k": k,
        "model": _model_name(retriever),
        "documents": sorted(documents),
        "corpus": corpus_digest(documents),
        "reader_threshold": getattr(getattr(assistant, "reader", None), "answer_threshold", None),
    }
    return build_report(results, meta)


def corpus_digest(documents: Mapping[str, str]) -> str:
    """A short digest of every document's name and text: a baseline made over other essays shows it."""
    digest = hashlib.sha256()
    for source in sorted(documents):
        digest.update(source.encode("utf-8") + b"\0" + documents[source].encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def _model_name(retriever: Any) -> str | None:
    data = getattr(retriever, "data", None)
    manifest = getattr(data, "manifest", None)
    return manifest.get("model") if isinstance(manifest, dict) else None
