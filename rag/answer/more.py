"""Follow-ups that ask for more of the last answer rather than for a new fact.

"Tell me more" or "go on" is answered with what follows the last quote in its essay (the rest of
its paragraph, else the next paragraph); "more context" or "the whole paragraph" with the
paragraph around the first quote. Both are read off the document itself, so they are as
verbatim as any quote. The last answer reaches the assistant only as text, so its quotes are
found again by searching with them (``quoted_rows``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import QueryError
from ..ingest.sentences import normalize
from ..retrieve.retriever import Retriever

_MARKER = re.compile(r"\[\d+\]")
MORE_SENTENCES = 3  # what "go on" quotes: about a short paragraph
CONTEXT_SENTENCES = 10  # the most "the whole paragraph" quotes


def quoted_rows(retriever: Retriever, shown: str, last: bool = False) -> list[int]:
    """Sentence rows of the first quote of ``shown`` (an earlier answer's text), or of its last
    quote with ``last``, in document order; none when it quotes nothing the essays hold. What
    stands before a marker but quotes nothing (the chat's "Sources: [1] [2]" line) is passed over."""
    parts = _MARKER.split(shown)[:-1]  # the text before each [n]: a quote and its lead-in
    for part in (reversed(parts) if last else parts):
        if len(part.split()) < 3:
            continue
        seen = normalize(part)
        try:
            passages = retriever.search(part[-1000:], k=3)
        except QueryError:
            continue
        for passage in passages:  # the passage the quote came from ranks first, almost always
            rows = [r for r in retriever.passage_sentences(passage) if normalize(retriever.sentences[r].text) in seen]
            if rows:
                return _one_run(rows)
    return []


def following_rows(retriever: Retriever, row: int) -> list[int]:
    """What comes after sentence ``row`` in its essay, up to MORE_SENTENCES: the rest of its
    paragraph, else the next paragraph (a list's next item); none at the essay's end."""
    sentences = retriever.sentences
    rows: list[int] = []
    for r in range(row + 1, min(row + 1 + MORE_SENTENCES, len(sentences))):
        s = sentences[r]
        if s.source != sentences[row].source:
            break
        if rows and s.paragraph != sentences[rows[0]].paragraph:
            break
        rows.append(r)
    return rows


def paragraph_rows(retriever: Retriever, rows: Sequence[int]) -> list[int]:
    """The paragraph holding ``rows`` (a quote's sentences); with the paragraphs before and after
    it when the quote is its whole paragraph (a one-line paragraph or a list item)."""
    sentences = retriever.sentences
    first = rows[0]
    source = sentences[first].source
    own = paragraph_of(retriever, first)
    if set(own) <= set(rows):
        before = paragraph_of(retriever, own[0] - 1) if own[0] > 0 and sentences[own[0] - 1].source == source else []
        after = own[-1] + 1
        later = paragraph_of(retriever, after) if after < len(sentences) and sentences[after].source == source else []
        own = [*before, *own, *later]
    return own[:CONTEXT_SENTENCES]


def paragraph_of(retriever: Retriever, row: int) -> list[int]:
    """Every sentence row of ``row``'s paragraph, in order."""
    sentences = retriever.sentences
    source, paragraph = sentences[row].source, sentences[row].paragraph
    start, end = row, row
    while start > 0 and sentences[start - 1].source == source and sentences[start - 1].paragraph == paragraph:
        start -= 1
    while end + 1 < len(sentences) and sentences[end + 1].source == source and sentences[end + 1].paragraph == paragraph:
        end += 1
    return list(range(start, end + 1))


def _one_run(rows: Sequence[int]) -> list[int]:
    """The first run of consecutive rows: a quote is one stretch of one essay."""
    run = [rows[0]]
    for r in rows[1:]:
        if r != run[-1] + 1:
            break
        run.append(r)
    return run
