"""Answers as plain data (JSON, the web API) and as terminal text."""

from __future__ import annotations

from collections.abc import Collection
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


PassageKey = tuple[str, int, int]  # a cited passage: its source and offsets


def cited_passages(answer: Answer) -> dict[PassageKey, list[Citation]]:
    """The answer's citations grouped by the passage they quote, in order."""
    by_passage: dict[PassageKey, list[Citation]] = {}
    for c in answer.citations:
        by_passage.setdefault((c.passage.source, c.passage.start, c.passage.end), []).append(c)
    return by_passage


def answer_to_text(answer: Answer, colour: bool, shown: Collection[PassageKey] = ()) -> str:
    """The answer, then each cited passage once: its numbers, byline, and its quotes highlighted
    (a list answer quoting four items of one passage shows that passage once, not four times);
    a passage in ``shown`` (the turn before, in a conversation) gets its byline only."""
    lines = [answer.text, ""]
    for key, cited in cited_passages(answer).items():
        passage = cited[0].passage
        numbers = "".join(f"[{c.number}]" for c in cited)
        lines.append(f"{numbers} {byline(passage)}")
        if key in shown:
            lines.append("    (the passage shown above)")
        else:
            lines.append(highlight(passage, colour, quotes=[(c.quote_start, c.quote_end) for c in cited]))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
