"""Validate and tidy a question before it is searched."""

from __future__ import annotations

import logging
import unicodedata

from ..errors import QueryError

log = logging.getLogger("rag")

MAX_QUERY_CHARS = 2000  # the model reads 256 tokens; longer text only slows lexical search


def clean_query(query: object, max_chars: int = MAX_QUERY_CHARS) -> str:
    """The question with control characters removed and spaces collapsed, cut to ``max_chars``.

    Raises QueryError for a non-string, an empty or whitespace-only question, or one with
    no letters or digits at all.
    """
    if not isinstance(query, str):
        raise QueryError(f"a question must be text, got {type(query).__name__}")
    printable = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " " for ch in query
    )
    text = " ".join(printable.split())
    if not text:
        raise QueryError("the question is empty: type a question about the essays")
    if not any(ch.isalnum() for ch in text):
        raise QueryError("the question has no words in it: type a question about the essays")
    if len(text) > max_chars:
        log.warning("question is %d characters long; searching with its first %d", len(text), max_chars)
        text = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
    return text
