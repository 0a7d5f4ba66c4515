"""Split documents into overlapping chunks sized in model tokens, with exact offsets.

Splitting is LangChain's RecursiveCharacterTextSplitter (paragraph, line, sentence, clause,
word boundaries in that order), measured with the embedding model's own tokenizer. Each
chunk is then located in the original text, so ``doc.text[start:end] == chunk.text``.
Chunks whose every sentence repeats text found elsewhere (a pasted-twice paragraph) are
marked ``duplicate_of`` and kept out of the vector index.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ..types import Chunk, Document, Sentence
from .load import body_start
from .sentences import has_words, normalize, sentence_spans
from .structure import ITEM, ROW, TEXT, blocks, extracted, section_within

SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]
CHUNKER = 5  # recorded in the manifest; change it when the same file would be read or split into other
# chunks or sentences: an index of another CHUNKER is stale (2: PDF, HTML and Word read anew, 2026-12-06;
# 3: an "Author: NAME" line is a byline, not a sentence, and a line a sentence wraps from (the next one
# opens in lower case, or it ends on "of", "the" ...) is not a heading, 2026-12-07; 4: a byline may go on
# after its name with a title or an affiliation, "By Jo Hale, Senior Fellow", 2026-12-07; 5: a chunk's
# vector is the mean of its sentences' vectors, index/build.py, 2026-12-07)


def chunk_documents(
    documents: Sequence[Document],
    count_tokens: Callable[[str], int],
    chunk_tokens: int,
    chunk_overlap: int,
    known: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> list[Chunk]:
    """Chunks of every document, numbered in corpus order, duplicates marked. ``known`` holds the
    chunk spans of documents whose very text was split before with the same settings: not split again."""
    chunks: list[Chunk] = []
    splitter = None
    for doc in documents:
        spans = (known or {}).get(doc.source)
        if spans is None:
            splitter = splitter or _splitter(count_tokens, chunk_tokens, chunk_overlap)  # a 1 s import: only when needed
            body = body_start(doc.text)
            found = locate(doc.text, splitter.split_text(doc.text[body:]), body)
            spans = [(start, end) for start, end in found if has_words(doc.text[start:end])]
        for start, end in spans:
            section = section_within(doc.text, start, end, extracted(doc.source))
            chunks.append(Chunk(len(chunks), doc.source, start, end, doc.text[start:end], section=section))
    return mark_duplicates(chunks, documents)


def _splitter(count_tokens: Callable[[str], int], chunk_tokens: int, chunk_overlap: int) -> Any:
    """LangChain's recursive splitter measuring in the model's tokens. It measures each piece up to
    three times (to split, merge and overlap), so counts are remembered: a 2 MB essay split in 2.2 s, not 3.5."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    def measure(text: str) -> int:
        """``count_tokens``, or its words when they alone make the piece too long: the splitter only
        asks whether such a piece fits, and counting a 2 MB paragraph's tokens took 1.6 s."""
        words = len(text.split()) if len(text) > 2 * chunk_tokens else 0  # each word is a token or more
        return words if words > chunk_tokens else count_tokens(text)

    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=chunk_overlap,
        length_function=lru_cache(maxsize=1 << 16)(measure),
        separators=SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )


def locate(text: str, pieces: Sequence[str], cursor: int = 0) -> list[tuple[int, int]]:
    """Offsets of each piece in ``text``, searching forward (from ``cursor``, then from the
    previous piece's start)."""
    spans = []
    for piece in pieces:
        found = text.find(piece, cursor)
        if found < 0:  # the splitter only trims and joins, so this means a splitter change
            raise ValueError(f"chunk not found in its document: {piece[:60]!r}")
        spans.append((found, found + len(piece)))
        cursor = found + 1
    return spans


def document_sentences(
    documents: Sequence[Document], known: Mapping[str, Sequence[Sentence]] | None = None
) -> list[Sentence]:
    """Every sentence of every document, in corpus order: the sentences of each paragraph,
    and each list item and table row (headings are never sentences; see structure.py).
    ``known`` holds the sentences of documents whose very text was split before by this CHUNKER."""
    out: list[Sentence] = []
    for doc in documents:
        if (reused := (known or {}).get(doc.source)) is not None:
            out.extend(reused)
            continue
        for block in blocks(doc.text, extracted(doc.source)):
            if block.kind in (TEXT, ITEM):
                spans = sentence_spans(doc.text, block.start, block.end, wrapped=True)
            elif block.kind == ROW and has_words(doc.text[block.start : block.end]):
                spans = [(block.start, block.end)]
            else:
                continue
            out.extend(
                Sentence(doc.source, a, b, doc.text[a:b], block.kind, block.number, block.section) for a, b in spans
            )
    return out


def mark_duplicates(chunks: list[Chunk], documents: Sequence[Document]) -> list[Chunk]:
    """Mark chunks all of whose sentences also occur in another, non-overlapping chunk.

    Larger chunks are kept first, so of two copies of a paragraph the one with more
    context survives. Linear in the chunks: each sentence remembers the kept chunks that hold
    it, lowest id first, and only the few that overlap a chunk are passed over (a sentence
    repeated in every chunk, such as a disclaimer, made this quadratic: 217 s for a 4.8 MB essay).
    """
    sentences_of = {c.id: _sentence_keys(c) for c in chunks}
    by_id = {c.id: c for c in chunks}
    kept_holders: dict[str, list[int]] = {}  # ids of the kept chunks holding each sentence, ascending
    duplicate_of: dict[int, int] = {}
    for chunk in sorted(chunks, key=lambda c: (-len(sentences_of[c.id]), c.id)):
        keys = sentences_of[chunk.id]
        copies = [_first_apart(kept_holders.get(key, []), by_id, chunk) for key in keys]
        if keys and all(c is not None for c in copies):
            duplicate_of[chunk.id] = min(c for c in copies if c is not None)
            continue
        for key in dict.fromkeys(keys):
            bisect.insort(kept_holders.setdefault(key, []), chunk.id)
    return [replace(c, duplicate_of=duplicate_of.get(c.id)) for c in chunks]


def _first_apart(ids: list[int], by_id: dict[int, Chunk], chunk: Chunk) -> int | None:
    """The lowest of ``ids`` whose chunk does not overlap ``chunk`` (None when all do)."""
    return next((i for i in ids if not _overlaps(by_id[i], chunk)), None)


def _sentence_keys(chunk: Chunk) -> list[str]:
    return [normalize(chunk.text[s:e]) for s, e in sentence_spans(chunk.text)]


def _overlaps(a: Chunk, b: Chunk) -> bool:
    return a.source == b.source and a.start < b.end and b.start < a.end
