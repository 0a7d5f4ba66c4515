"""Which sentences sit inside which chunks (chunks overlap, so a sentence may be in two)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..types import Chunk, Sentence


def source_rows(sentences: Sequence[Sentence]) -> dict[str, list[int]]:
    """The rows of each source's sentences, in document order: what a question about one essay
    reads, instead of every sentence of the corpus."""
    by_source: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        by_source.setdefault(s.source, []).append(i)
    return by_source


def membership(chunks: Sequence[Chunk], sentences: Sequence[Sentence],
               by_source: dict[str, list[int]]) -> tuple[list[int], list[list[int]]]:  # fmt: skip
    """For each sentence the first chunk wholly holding it (-1 if none), and each chunk's sentences.

    Sentences of a source (``by_source``: see source_rows) are in document order, so each chunk is
    a bisect plus a short scan.
    """
    starts = {src: [sentences[i].start for i in rows] for src, rows in by_source.items()}
    chunk_of = [-1] * len(sentences)
    members: list[list[int]] = []
    for row, chunk in enumerate(chunks):
        rows = by_source.get(chunk.source, [])
        inside = []
        for i in rows[bisect.bisect_left(starts.get(chunk.source, []), chunk.start) :]:
            if sentences[i].start >= chunk.end:
                break
            if sentences[i].end <= chunk.end:
                inside.append(i)
        members.append(inside)
        for i in inside:
            if chunk_of[i] == -1:
                chunk_of[i] = row
    return chunk_of, members


def sentences_within(sentences: Sequence[Sentence], rows: Sequence[int], start: int, end: int) -> list[int]:
    """Those of ``rows`` (one source's sentences, see source_rows) wholly inside ``[start, end)``."""
    return [i for i in rows if sentences[i].start >= start and sentences[i].end <= end]
