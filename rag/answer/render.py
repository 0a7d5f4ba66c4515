"""Answers as plain data (JSON, the web API) and as terminal text."""

from __future__ import annotations

from typing import Any

from ..console import byline, highlight
from ..types import Answer, Citation


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """A JSON-safe dict: text, refused, hedged, confidence, search_query and the citations with their passages."""
    return {
        "text": answer.text,
        "refused": answer.refused,
        "hedged": answer.hedged,
        "confidence": None if answer.confidence is None else round(answer.confidence, 4),
        "question": answer.question,
        "search_query": answer.search_query,
        "citations": [
            {
                "number": c.number,
                "source": c.passage.source,
                "title": c.passage.title,
                "author": c.passage.author,
                "score": c.passage.score,
                "start": c.passage.start,
                "end": c.passage.end,
                "quote": c.quote,
                "quote_start": c.quote_start,
                "quote_end": c.quote_end,
                "passage": c.passage.text,
            }
            for c in answer.citations
        ],
    }


def answer_to_text(answer: Answer, colour: bool) -> str:
    """The answer, then each cited passage once: its numbers, byline, and its quotes highlighted
    (a list answer quoting four items of one passage shows that passage once, not four times)."""
    lines = [answer.text, ""]
    by_passage: dict[tuple[str, int, int], list[Citation]] = {}
    for c in answer.citations:
        by_passage.setdefault((c.passage.source, c.passage.start, c.passage.end), []).append(c)
    for cited in by_passage.values():
        passage = cited[0].passage
        numbers = "".join(f"[{c.number}]" for c in cited)
        lines.append(f"{numbers} {byline(passage)}")
        lines.append(highlight(passage, colour, quotes=[(c.quote_start, c.quote_end) for c in cited]))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
