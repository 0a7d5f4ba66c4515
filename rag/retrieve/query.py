"""Validate and tidy a question before it is searched."""

from __future__ import annotations

import unicodedata

from ..errors import QueryError

MAX_QUERY_CHARS = 2000  # the model reads 256 tokens: a longer paste is not one question


def clean_query(query: object, max_chars: int = MAX_QUERY_CHARS) -> str:
    """The question with control characters removed and spaces collapsed.

    Raises QueryError for a non-string, an empty or whitespace-only question, one with no
    letters or digits at all, or one over ``max_chars`` characters: one rule for search, ask,
    the chat and the API (a cut question could lose the part that asks).
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
        raise QueryError(
            f"the question is too long ({len(text):,} characters); keep it under {max_chars:,}"
            " and ask about one thing at a time"
        )
    return text
