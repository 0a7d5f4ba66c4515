"""The Retriever: hybrid dense + lexical search over chunks, with sentence-level quotes.

A passage's score mixes three signals, each in [0, 1]: the chunk's cosine similarity to the
question, the best cosine similarity of one of its sentences (small-to-big: a precise
sentence lifts its whole passage), and BM25 over the chunk's words (exact terms, names,
numbers). The quote is the passage sentence that best matches the question by the same
dense + lexical mix, verbatim with offsets into the document.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..embed import encode, load_query_encoder, model_dimension, whole_words
from ..errors import IndexMismatchError, IndexMissingError, IndexWriteError, QueryError, RagError
from ..index.build import BuildProgress, build_index, stale_reason
from ..index.store import FIX, ExactSearch, IndexData, documents_by_source, read_index, unique_chunks
from ..ingest.sentences import is_question, normalize
from ..ingest.structure import as_read
from ..settings import Settings, settings_from_env
from ..types import Chunk, Document, Passage, Sentence
from .acronyms import expand_acronyms
from .authors import named_sources
from .focus import focus_query
from .lexical import BM25, terms
from .ordinals import asked_ordinal, starts_with_ordinal
from .structure import chunk_ids, membership, offsets, sentences_within, source_rows
from .tables import derive, from_stored
from .query import clean_query
from .related import MIN_SIMILARITY, RELATED_WEIGHT, related_terms
from .spelling import Speller

log = logging.getLogger("rag")
SENTENCE_SCORES_KEPT = 16  # texts whose BM25 scores over every sentence are cached (see Retriever.__init__)


@dataclass(frozen=True)
class Weights:
    """How much each signal counts in a passage score (chosen by measurement, see bench/)."""

    chunk: float = 0.35
    sentence: float = 0.45
    lexical: float = 0.20
    quote_lexical: float = 0.30  # weight of BM25 when picking the quote sentence
    ordinal: float = 0.35  # lift for a sentence opening the item a question asks for ("the second")
    focus: float = 0.5  # share of a sentence's cosine taken against the question without corpus-wide names
    related: float = MIN_SIMILARITY  # how close an essay word must be to stand in for an unknown word (>1: off)
    candidates: int = 40  # chunks scored in full per query
    fusion: str = "weighted"  # or "rrf": reciprocal-rank fusion of dense and BM25 (for comparison)
    author_filter: bool = True  # a question naming an author searches that author's essays
    spelling: bool = True  # correct a question's misspelt words to the essays' (spelling.py)


class Retriever:
    """Search an index of essays: ranked passages, each with its answering quote (README, "Library")."""

    def __init__(self, data: IndexData, settings: Settings, weights: Weights | None = None) -> None:
        self.data = data
        self.settings = settings
        self.weights = weights or Weights()
        self.model = load_query_encoder(data.manifest["model"])
        if model_dimension(self.model) != data.manifest["dimension"]:
            raise IndexMismatchError(
                f"the index has {data.manifest['dimension']}-dimensional vectors but model"
                f" {data.manifest['model']!r} makes {model_dimension(self.model)}: run `rag index`"
            )
        # by source (a loaded index reads a text when asked for), and heads: the same documents
        # for passes over every essay that read no text (whose author a question names)
        self.documents, self.heads = documents_by_source(data.documents)
        self.chunks: Sequence[Chunk] = unique_chunks(data.chunks)  # the rows of the chunk vectors
        self.sentences: Sequence[Sentence] = data.sentences
        self._chunk_index = data.search.get("chunks") or ExactSearch(data.chunk_vectors)
        self._sentence_index = data.search.get("sentences") or ExactSearch(data.sentence_vectors)
        spans = offsets(self.sentences)
        self._rows_of_source = source_rows(spans)
        chunk_spans = offsets(self.chunks)
        self._chunk_sources = chunk_spans.sources
        members = membership(chunk_spans, spans, self._rows_of_source)
        self._chunk_of_sentence, self._sentences_of_chunk = members
        tables = from_stored(data.lexical, data.names, data.terms, len(self.chunks), len(self.sentences)) or derive(
            data.documents, self.chunks, self.sentences
        )  # stored by the build; derived here for an index written without them
        self.corpus_names = tables.corpus_names
        self._common_words = tables.common_words
        self._spelled_out = tables.spelled_out
        self._row_of_chunk = {chunk_id: row for row, chunk_id in enumerate(chunk_ids(self.chunks))}
        self._chunk_bm25 = BM25(tables.chunk_terms, weights=tables.chunk_weights)
        self._sentence_bm25 = BM25(tables.sentence_terms, weights=tables.sentence_weights)
        self._embed_cached = lru_cache(maxsize=512)(lambda text: encode(self.model, [text])[0])
        # one BM25 score per sentence of the corpus, for each text asked: an ask reuses its own few,
        # and 512 of them held 0.36 GB at 5,000 essays
        self._sentence_lexical = lru_cache(maxsize=SENTENCE_SCORES_KEPT)(self._sentence_bm25.scores)
        self._related = lru_cache(maxsize=512)(self._related_terms)
        self.vocabulary: frozenset[str] = self._sentence_bm25.terms  # every search term in the essays
        self.headed_vocabulary: frozenset[str] = self._chunk_bm25.terms  # and in their titles, authors, sections
        self._speller: Speller | None = None  # built on the first question, not at load (a cold start counts)
        self._corrected = lru_cache(maxsize=512)(lambda text: self.speller().corrected(text))

    # -- construction -------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        seeds_dir: str | Path = "seeds",
        index_dir: str | Path = "index",
        settings: Settings | None = None,
        progress: BuildProgress | None = None,
    ) -> Retriever:
        """Ingest ``seeds_dir``, write the index to ``index_dir`` atomically, return a retriever."""
        settings = settings or settings_from_env()
        return cls(build_index(seeds_dir, index_dir, settings, progress), settings)

    @classmethod
    def load(cls, index_dir: str | Path = "index", model: str | None = None) -> Retriever:
        """Open an existing index; IndexMismatchError if it was built by another model.

        ``model`` (or the RAG_MODEL environment variable) names the model the caller expects;
        when neither is given the index's own model is used.
        """
        data = read_index(index_dir)
        wanted = model or os.environ.get("RAG_MODEL")
        built = data.manifest["model"]
        if wanted and wanted != built:
            raise IndexMismatchError(
                f"{index_dir} was built with model {built!r}, you asked for {wanted!r}:"
                f" run `rag index --model {wanted}`"
            )
        settings = settings_from_env().with_overrides(model=built, index_dir=str(index_dir))
        return cls(data, settings)

    @classmethod
    def open(
        cls,
        seeds_dir: str | Path = "seeds",
        index_dir: str | Path = "index",
        settings: Settings | None = None,
        progress: BuildProgress | None = None,
    ) -> Retriever:
        """Load the index, first (re)building it when missing or stale for ``seeds_dir``."""
        settings = settings or settings_from_env()
        reason = stale_reason(seeds_dir, index_dir, settings)
        damaged = reason is not None and reason.startswith("the index is unreadable")
        if reason is None:
            try:
                return cls(read_index(index_dir), settings)
            except RagError as exc:  # damaged files: rebuild rather than fail
                reason, damaged = str(exc).removesuffix(f": {FIX}"), True
        if not Path(seeds_dir).is_dir():  # nothing to rebuild from: name both problems
            what = "is a file, not a folder" if Path(seeds_dir).exists() else "does not exist"
            raise IndexMissingError(
                f"the index in {str(index_dir)!r} cannot be used ({reason}), and the essays folder "
                f"{str(seeds_dir)!r} to rebuild it from {what}"
            )
        if damaged:
            log.warning("the index is damaged (%s): rebuilding it from %s", reason, seeds_dir)
        else:
            log.info("building the index (%s)", reason)
        try:
            return cls.build(seeds_dir, index_dir, settings, progress)
        except IndexWriteError as exc:
            if damaged or not reason.startswith("the essays in"):
                raise
            log.warning("%s; answering from the index as it was built", exc)  # a read-only index: stale, not broken
            return cls(read_index(index_dir), settings)

    # -- search -------------------------------------------------------------------------
    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first, each with its answering quote."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise QueryError(f"k (passages to return) must be a whole number of at least 1, got {k!r}")
        full = self.expand(clean_query(query))
        allowed, text = named_sources(full, self.heads) if self.weights.author_filter else (frozenset(), full)
        qv = self.embed_query(text)
        ranked = self.rank(text, qv, allowed)
        if text != full:  # also try with the author's name kept: it helps questions about the person
            by_row = dict(ranked)
            for row, score in self.rank(full, self.embed_query(full), allowed):
                by_row[row] = max(by_row.get(row, score), score)
            ranked = sorted(by_row.items(), key=lambda item: (-item[1], item[0]))
        passages: list[Passage] = []
        seen_quotes: set[str] = set()
        focus = self.focus_vector(text)
        for row, score in ranked:
            passage = self._passage(row, score, text, qv, focus)
            key = normalize(passage.quote)
            if key in seen_quotes:
                continue  # a repeated paragraph or an overlapping chunk saying the same thing
            seen_quotes.add(key)
            passages.append(passage)
            if len(passages) == k:
                break
        return passages

    def rank(
        self, text: str, qv: np.ndarray, allowed: frozenset[str] = frozenset()
    ) -> list[tuple[int, float]]:
        """(row in self.chunks, score) for the candidate chunks, best first.

        ``allowed``, when not empty, limits the results to those sources.
        """
        n = len(self.chunks)
        if n == 0:
            return []
        w = self.weights
        want = min(n, w.candidates)
        _, chunk_rows = self._chunk_index.search(qv[None, :], want)
        _, sent_rows = self._sentence_index.search(qv[None, :], min(len(self.sentences), want))
        lexical = self._chunk_bm25.scores(text, self._related(text, self.weights.related), RELATED_WEIGHT)
        candidates = {int(r) for r in chunk_rows[0] if r >= 0}
        candidates |= {self._chunk_of_sentence[int(s)] for s in sent_rows[0] if s >= 0} - {-1}
        candidates |= {int(r) for r in np.argsort(-lexical)[:want] if lexical[r] > 0}
        if allowed:
            candidates = {r for r in range(n) if self._chunk_sources[r] in allowed}
        if w.fusion == "rrf":
            return _reciprocal_rank_fusion(self.data.chunk_vectors @ qv, lexical, sorted(candidates))
        top_lex = float(lexical.max()) or 1.0
        ordinal = asked_ordinal(text)
        scored = []
        for row in candidates:
            chunk_sim = float(self.data.chunk_vectors[row] @ qv)
            members = self._sentences_of_chunk[row]
            sims = self.data.sentence_vectors[members] @ qv
            if ordinal:
                sims = sims + w.ordinal * np.array(
                    [starts_with_ordinal(self.sentences[i].text, ordinal) for i in members]
                )
            sent_sim = float(sims.max()) if members else chunk_sim
            score = w.chunk * chunk_sim + w.sentence * sent_sim + w.lexical * float(lexical[row]) / top_lex
            scored.append((row, score))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored

    def clear_caches(self) -> None:
        """Forget cached query vectors and BM25 scores (for benchmarks that time cold queries)."""
        self._embed_cached.cache_clear()
        self._corrected.cache_clear()
        self._sentence_lexical.cache_clear()
        self._related.cache_clear()

    def embed_query(self, text: str) -> np.ndarray:
        """The unit-length query vector used by ``rank`` and ``sentence_scores`` (cached)."""
        return self._embed_cached(text)

    def expand(self, text: str) -> str:
        """``text`` with its misspelt words corrected to the essays' (see spelling.py), and the
        names its acronyms stand for in these essays (see acronyms.py).

        Only acronyms the essays never write are expanded ("CPTPP" gains "... Trans-Pacific
        Partnership"): one they use is matched as it is, unless the question asks what it stands for.
        """
        if self.weights.spelling:
            text = self._corrected(text)
        written = frozenset() if _ASKS_EXPANSION.search(text) else self.vocabulary
        return expand_acronyms(text, self._spelled_out, self._common_words, written)

    def speller(self) -> Speller:
        """What corrects a question's misspelt words to the essays' (see spelling.py)."""
        if self._speller is None:
            self._speller = Speller(self.vocabulary, whole_words(self.model), self._sentence_bm25.spread)
        return self._speller

    def focus_vector(self, text: str) -> np.ndarray | None:
        """The vector of ``text`` without the corpus-wide names (see focus.py), or None."""
        focus = focus_query(text, self.corpus_names) if self.weights.focus else None
        return self.embed_query(focus) if focus else None

    def passage_sentences(self, passage: Passage) -> list[int]:
        """Rows in ``self.sentences`` of the sentences wholly inside ``passage``."""
        row = self._row_of_chunk.get(passage.chunk_id)
        if row is not None and (self.chunks[row].start, self.chunks[row].end) == (passage.start, passage.end):
            return self._sentences_of_chunk[row]
        rows = self.sentence_rows(passage.source)
        return sentences_within(self.sentences, rows, passage.start, passage.end)

    def sentence_rows(self, source: str) -> Sequence[int]:
        """Rows in ``self.sentences`` of the sentences of ``source``, in document order (none if unknown)."""
        return self._rows_of_source.get(source, ())

    def passage_for_sentence(self, row: int, score: float = 0.0) -> Passage | None:
        """The indexed passage holding sentence ``row``, quoting that sentence (None if none holds it)."""
        chunk_row = self._chunk_of_sentence[row]
        if chunk_row < 0:
            return None
        chunk, sentence = self.chunks[chunk_row], self.sentences[row]
        doc = self.documents[chunk.source]
        return Passage(
            chunk.text, chunk.source, doc.title, doc.author, chunk.start, chunk.end, round(score, 6),
            sentence.text, sentence.start, sentence.end, chunk.id, sentence.section or chunk.section,
        )

    def reading(self, row: int) -> str:
        """Sentence ``row`` as it is matched and read (a table row with its header; see as_read)."""
        sentence = self.sentences[row]
        return as_read(self.documents[sentence.source].text, sentence)

    def document(self, source: str) -> Document:
        """The whole document a passage came from."""
        return self.documents[source]

    # -- helpers ------------------------------------------------------------------------
    def _passage(self, row: int, score: float, text: str, qv: np.ndarray, focus: np.ndarray | None) -> Passage:
        chunk = self.chunks[row]
        doc = self.documents[chunk.source]
        start, end, section = self._quote_span(row, text, qv, focus)
        return Passage(
            text=chunk.text,
            source=chunk.source,
            title=doc.title,
            author=doc.author,
            start=chunk.start,
            end=chunk.end,
            score=round(score, 6),
            quote=doc.text[start:end],
            quote_start=start,
            quote_end=end,
            chunk_id=chunk.id,
            section=section,
        )

    def _quote_span(
        self, row: int, text: str, qv: np.ndarray, focus: np.ndarray | None
    ) -> tuple[int, int, str]:
        """Offsets of the sentence (or question + its answer) that best answers ``text``, and its section."""
        members = self._sentences_of_chunk[row]
        chunk = self.chunks[row]
        if not members:
            return chunk.start, chunk.end, chunk.section
        scores = self.sentence_scores(text, qv, members, focus)
        best = int(np.argmax(scores))
        sentence = self.sentences[members[best]]
        start, end = sentence.start, sentence.end
        if is_question(sentence.text) and best + 1 < len(members):
            end = self.sentences[members[best + 1]].end  # a rhetorical question: include its answer
        return start, end, sentence.section

    def sentence_scores(
        self, text: str, qv: np.ndarray, rows: Sequence[int], focus: np.ndarray | None = None
    ) -> np.ndarray:
        """Dense + lexical match of each listed sentence to the question (questions damped).

        ``qv`` may hold several query vectors (one per row); a sentence keeps its best
        cosine, blended with its cosine to ``focus`` (the question without corpus-wide
        names) when given. BM25 is scaled by the best score over all sentences, so scores
        of sentences from different passages compare.
        """
        vectors = self.data.sentence_vectors[list(rows)]
        dense = (vectors @ np.atleast_2d(qv).T).max(axis=1)
        if focus is not None:
            dense = (1 - self.weights.focus) * dense + self.weights.focus * (vectors @ focus)
        every = self._sentence_lexical(text, self._related(text, self.weights.related), RELATED_WEIGHT)
        lexical = every[list(rows)]
        scores = dense + self.weights.quote_lexical * lexical / (float(every.max()) or 1.0)
        asks = np.array([is_question(self.sentences[r].text) for r in rows])
        return np.where(asks, scores * 0.8, scores)

    def related_terms(self, text: str, whole: bool = False) -> list[str]:
        """The essays' words for the words of ``text`` they never use (see related.py); with
        ``whole``, for ``text`` read as one phrase ("weed killer": "herbicide")."""
        return list(self._related(text, self.weights.related, whole))

    def _related_terms(self, text: str, min_similarity: float, whole: bool = False) -> tuple[str, ...]:
        """Cached by ``related_terms``; keyed on the threshold too, so changing weights is safe."""
        if min_similarity > 1:  # switched off
            return ()
        return tuple(related_terms(
            [text] if whole else terms(text), self.data.terms, self.data.term_vectors,
            lambda words: encode(self.model, words), min_similarity,
        ))


_ASKS_EXPANSION = re.compile(r"\b(?:stands?|short) for\b|\babbreviat|\bacronym", re.I)  # "what does BTR stand for?"


def _reciprocal_rank_fusion(
    dense: np.ndarray, lexical: np.ndarray, rows: Sequence[int], c: int = 60
) -> list[tuple[int, float]]:
    """Score = sum over the dense and BM25 rankings of 1 / (c + rank)."""
    dense_rank = {int(r): i for i, r in enumerate(np.argsort(-dense))}
    lexical_rank = {int(r): i for i, r in enumerate(np.argsort(-lexical))}
    scored = [(r, 1 / (c + dense_rank[r] + 1) + 1 / (c + lexical_rank[r] + 1)) for r in rows]
    return sorted(scored, key=lambda item: (-item[1], item[0]))
