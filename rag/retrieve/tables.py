"""What the retriever derives once from an index's text: BM25 term counts, corpus-wide names
and spelled-out acronyms.

Computed when the index is built and stored in it (``lexical.safetensors``, ``names.json``), so that
opening an index of a thousand essays does not tokenise all of it again. An index without
them, or written by another version of this derivation, has them derived at load instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ingest.structure import as_read
from ..types import Chunk, Document, Sentence
from .acronyms import lowercase_words, spelled_out_names
from .focus import corpus_names
from .lexical import Counted, TermCounts, bm25_weights, count_terms, terms

if TYPE_CHECKING:
    from ..index.store import IndexData

VERSION = 1  # raise when terms(), corpus_names() or spelled_out_names() change what they give
_PARTS = ("chunk", "sentence")


@dataclass(frozen=True)
class Tables:
    """Everything the retriever derives from the corpus text alone."""

    chunk_terms: TermCounts  # per unique chunk: the words it is lexically matched on (see chunk_context)
    sentence_terms: TermCounts  # per sentence, as read (a table row with its header); its vocabulary
    # is the index's terms (terms.json), so it is not stored again
    corpus_names: frozenset[str]  # search terms of the names most of the corpus mentions
    common_words: frozenset[str]  # words the essays also write in lower case
    spelled_out: dict[str, str]  # multi-word names by their initials
    chunk_weights: Any = None  # the BM25 matrices of chunk_terms and sentence_terms (lexical.bm25_weights),
    sentence_weights: Any = None  # when stored: the retriever then computes none


def chunk_context(document: Document, chunk: Chunk) -> str:
    """Text a chunk is lexically matched on: its words plus its document's title, author and section."""
    return f"{_heading(document, chunk)} {chunk.text}"


def _heading(document: Document, chunk: Chunk) -> str:
    return f"{document.title} {document.author or ''} {chunk.section}"


def chunk_frequency(counted: TermCounts, headings: Sequence[str]) -> dict[str, int]:
    """How many chunks hold each term in their own text, from their counted contexts (``chunk_context``)
    and their ``headings``: a context's terms are its heading's and then its text's, so a term is in
    the text where the context counts it more often than the heading does. No chunk is tokenised again."""
    from scipy.sparse import csr_matrix

    column = {t: i for i, t in enumerate(counted.vocabulary)}
    rows, columns, counts = [], [], []
    for row, heading in enumerate(headings):
        for term, n in _heading_terms(heading).items():
            rows.append(row)
            columns.append(column[term])
            counts.append(n)
    shape = (len(headings), len(counted.vocabulary))
    own = csr_matrix((counted.counts, counted.ids, counted.indptr), shape=shape, dtype=np.int64)
    own = own - csr_matrix((counts, (rows, columns)), shape=shape, dtype=np.int64)
    holding = np.asarray((own > 0).sum(axis=0)).ravel()
    return {counted.vocabulary[i]: int(holding[i]) for i in np.flatnonzero(holding)}


@lru_cache(maxsize=4096)
def _heading_terms(heading: str) -> Counter[str]:
    return Counter(terms(heading))


def derive(documents: Sequence[Document], chunks: Sequence[Chunk], sentences: Sequence[Sentence],
           earlier: tuple[Counted, Counted] | None = None) -> Tables:  # fmt: skip
    """The tables of a corpus; ``chunks`` are the unique ones (duplicate_of None), in index order.
    ``earlier``: the chunk and sentence term counts of the index being replaced (see ``counted``),
    whose rows of unchanged text are reused rather than counted again."""
    by_source = {d.source: d for d in documents}
    texts = [d.text for d in documents]
    common = lowercase_words(texts)
    chunk_terms = count_terms([chunk_context(by_source[c.source], c) for c in chunks], earlier and earlier[0])
    in_chunks = chunk_frequency(chunk_terms, [_heading(by_source[c.source], c) for c in chunks])
    return Tables(
        chunk_terms,
        count_terms([as_read(by_source[s.source].text, s) for s in sentences], earlier and earlier[1]),
        corpus_names(in_chunks, len(chunks), sentences),
        common,
        spelled_out_names(texts, common),
    )


def counted(data: IndexData) -> tuple[Counted, Counted] | None:
    """The term counts an index holds, each row keyed by the text it counts (for ``derive``);
    None when it holds none of this VERSION."""
    unique = [c for c in data.chunks if c.duplicate_of is None]
    tables = from_stored(data.lexical, data.names, data.terms, len(unique), len(data.sentences))
    if tables is None:
        return None
    by_source = {d.source: d for d in data.documents}
    chunks = [chunk_context(by_source[c.source], c) for c in unique]
    sentences = [as_read(by_source[s.source].text, s) for s in data.sentences]
    return tuple(  # type: ignore[return-value]
        Counted(table, {text: row for row, text in enumerate(texts)})
        for table, texts in ((tables.chunk_terms, chunks), (tables.sentence_terms, sentences))
    )


def to_stored(tables: Tables) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays (for ``lexical.safetensors``) and the JSON object (for ``names.json``: version,
    the chunks' vocabulary, names) of ``tables``."""
    arrays: dict[str, np.ndarray] = {}
    for part, counted in zip(_PARTS, (tables.chunk_terms, tables.sentence_terms), strict=True):
        arrays[f"{part}_indptr"], arrays[f"{part}_ids"] = counted.indptr, counted.ids
        arrays[f"{part}_counts"] = counted.counts
        weights = bm25_weights(counted)
        arrays[f"{part}_bm25_weights"], arrays[f"{part}_bm25_rows"] = weights.data, weights.indices
        arrays[f"{part}_bm25_indptr"] = weights.indptr
    names = {"version": VERSION, "chunk_vocabulary": list(tables.chunk_terms.vocabulary),  # JSON: far smaller
             "corpus_names": sorted(tables.corpus_names), "common_words": sorted(tables.common_words),
             "spelled_out": tables.spelled_out}  # fmt: skip
    return arrays, names


def from_stored(arrays: Mapping[str, np.ndarray], names: Mapping[str, Any], terms: Sequence[str], chunks: int,
                sentences: int) -> Tables | None:  # fmt: skip
    """The stored tables, or None when there are none, they are of another VERSION or do not
    fit an index of ``chunks`` unique chunks, ``sentences`` sentences and the search ``terms``
    of its sentences."""
    if names.get("version") != VERSION or not arrays:
        return None
    try:
        vocabularies = (tuple(str(t) for t in names["chunk_vocabulary"]), tuple(terms))
        counted = [
            TermCounts(vocabulary, arrays[f"{p}_indptr"].astype(np.int64, copy=False),
                       arrays[f"{p}_ids"].astype(np.int32, copy=False),
                       arrays[f"{p}_counts"].astype(np.int32, copy=False))
            for p, vocabulary in zip(_PARTS, vocabularies, strict=True)
        ]  # fmt: skip
        weights = [_stored_weights(arrays, p, c) for p, c in zip(_PARTS, counted, strict=True)]
        tables = Tables(counted[0], counted[1], frozenset(names["corpus_names"]), frozenset(names["common_words"]),
                        {str(k): str(v) for k, v in names["spelled_out"].items()}, *weights)  # fmt: skip
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    rows = (len(tables.chunk_terms.indptr) - 1, len(tables.sentence_terms.indptr) - 1)
    fits = all(c.indptr[-1] == len(c.ids) == len(c.counts) and (not len(c.ids) or c.ids.max() < len(c.vocabulary))
               for c in counted)  # fmt: skip
    return tables if rows == (chunks, sentences) and fits else None


def _stored_weights(arrays: Mapping[str, np.ndarray], part: str, counted: TermCounts) -> Any:
    """The stored BM25 matrix of ``counted`` (its arrays used as they are: memory-mapped, not
    copied), or None when the index has none (then the retriever computes it)."""
    if f"{part}_bm25_weights" not in arrays:
        return None
    from scipy.sparse import csc_matrix

    values, rows, indptr = (arrays[f"{part}_bm25_{k}"] for k in ("weights", "rows", "indptr"))
    shape = (len(counted.indptr) - 1, len(counted.vocabulary))
    if len(indptr) != shape[1] + 1 or not indptr[-1] == len(rows) == len(values) == len(counted.ids):
        raise ValueError("stored BM25 weights do not fit their term counts")
    return csc_matrix((values, rows, indptr), shape=shape, copy=False)
