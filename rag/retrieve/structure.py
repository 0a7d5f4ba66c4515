"""Which sentences sit inside which chunks (chunks overlap, so a sentence may be in two)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..types import Chunk, Sentence


def membership(chunks: Sequence[Chunk], sentences: Sequence[Sentence]) -> tuple[list[int], list[list[int]]]:
    """For each sentence the first chunk wholly holding it (-1 if none), and each chunk's sentences.

    Sentences of a source are in document order, so each chunk is a bisect plus a short scan.
    """
    by_source: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        by_source.setdefault(s.source, []).append(i)
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


def sentences_within(sentences: Sequence[Sentence], source: str, start: int, end: int) -> list[int]:
    """Rows of the sentences of ``source`` wholly inside ``[start, end)``."""
    return [i for i, s in enumerate(sentences) if s.source == source and s.start >= start and s.end <= end]
