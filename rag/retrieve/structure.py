"""Which sentences sit inside which chunks (chunks overlap, so a sentence may be in two)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from ..index.store import TextTable
from ..types import Chunk, Sentence


@dataclass(frozen=True)
class Offsets:
    """Every sentence's or chunk's source, start and end, as plain lists: what whole-corpus passes read."""

    sources: list[str]
    starts: list[int]
    ends: list[int]


def offsets(rows: Sequence[Sentence] | Sequence[Chunk]) -> Offsets:
    """The offsets of sentences or chunks; a TextTable gives them from its columns, making no row."""
    if isinstance(rows, TextTable):
        return Offsets(*rows.offsets())
    return Offsets([r.source for r in rows], [r.start for r in rows], [r.end for r in rows])


def chunk_ids(chunks: Sequence[Chunk]) -> list[int]:
    """Every chunk's id; a TextTable gives them from its column, making no chunk."""
    return chunks.column("id").tolist() if isinstance(chunks, TextTable) else [c.id for c in chunks]


def source_rows(sentences: Offsets) -> dict[str, list[int]]:
    """The rows of each source's sentences, in document order: what a question about one essay
    reads, instead of every sentence of the corpus."""
    by_source: dict[str, list[int]] = {}
    for i, source in enumerate(sentences.sources):
        by_source.setdefault(source, []).append(i)
    return by_source


def membership(chunks: Offsets, sentences: Offsets,
               by_source: dict[str, list[int]]) -> tuple[list[int], list[list[int]]]:  # fmt: skip
    """For each sentence the first chunk (a row of ``chunks``) wholly holding it (-1 if none), and
    each chunk's sentences.

    Sentences of a source (``by_source``: see source_rows) are in document order, so each chunk is
    a bisect plus a short scan.
    """
    begins, ends = sentences.starts, sentences.ends
    starts = {src: [begins[i] for i in rows] for src, rows in by_source.items()}
    chunk_of = [-1] * len(begins)
    members: list[list[int]] = []
    for row, (source, start, end) in enumerate(zip(chunks.sources, chunks.starts, chunks.ends)):
        rows = by_source.get(source, [])
        inside = []
        for i in rows[bisect.bisect_left(starts.get(source, []), start) :]:
            if begins[i] >= end:
                break
            if ends[i] <= end:
                inside.append(i)
        members.append(inside)
        for i in inside:
            if chunk_of[i] == -1:
                chunk_of[i] = row
    return chunk_of, members


def sentences_within(sentences: Sequence[Sentence], rows: Sequence[int], start: int, end: int) -> list[int]:
    """Those of ``rows`` (one source's sentences, see source_rows) wholly inside ``[start, end)``."""
    return [i for i in rows if sentences[i].start >= start and sentences[i].end <= end]
