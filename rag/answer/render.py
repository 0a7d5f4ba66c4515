"""Answers as plain data (JSON, the web API) and as terminal text."""

from __future__ import annotations

from typing import Any

from ..console import byline, highlight
from ..types import Answer, Passage


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """A JSON-safe dict: text, refused, search_query and the citations with their passages."""
    return {
        "text": answer.text,
        "refused": answer.refused,
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
    """The answer, then each citation: number, byline, and the quote highlighted in its passage."""
    lines = [answer.text, ""]
    for c in answer.citations:
        shown = Passage(**{**c.passage.__dict__, "quote": c.quote, "quote_start": c.quote_start, "quote_end": c.quote_end})
        lines.append(f"[{c.number}] {byline(shown)}")
        lines.append(highlight(shown, colour))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
