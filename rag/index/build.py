"""Build an index from a seeds folder: load, chunk, embed, persist (atomically)."""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..embed import (
    encode, load_build_encoder, load_model, load_numpy_encoder, model_dimension, model_max_tokens, token_counter,
    token_lengths,
)
from ..ingest.chunk import CHUNKER, chunk_documents, document_sentences
from ..ingest.load import SIDECAR, corpus_hashes, load_corpus
from ..ingest.structure import as_read
from ..retrieve.lexical import Counted
from ..retrieve.structure import membership, offsets, source_rows
from ..retrieve.tables import counted, derive, to_stored
from ..settings import Settings
from ..types import Chunk, Sentence
from . import partial
from .partial import clear_partial, read_partial, save_partial
from .store import REUSABLE_FORMATS, IndexData, build_lock, read_index, read_manifest, write_index

log = logging.getLogger("rag")
# progress(done, total, what) is called while embedding; the CLI shows a bar, the UI a gauge.
BuildProgress = Callable[[int, int, str], None]
# Fewer texts to embed than this (adding or changing a few essays) are embedded by the numpy
# encoder, which loads in a fraction of a second where torch takes about 2 s; more, by torch
# (load and embed: 1,000 texts 2.8-3.1 s by numpy, 2.4-2.7 s by torch; 600 texts even, 2026-12-07).
SMALL_BUILD = 1000
SLICE = 4  # batches embedded between chances to save them (128 chunks: 20-30 s on 2 cores)


def build_index(
    seeds_dir: str | Path,
    index_dir: str | Path,
    settings: Settings,
    progress: BuildProgress | None = None,
) -> IndexData:
    """Ingest ``seeds_dir`` and write a complete index to ``index_dir``.

    Vectors of texts the index in ``index_dir`` already holds (same model) are reused, so
    adding, changing or removing one essay embeds only the text that is new."""
    started = time.perf_counter()
    with build_lock(index_dir):
        corpus = corpus_hashes(seeds_dir)  # before reading: a file changed while this build runs stays changed
        documents = load_corpus(seeds_dir)
        corpus |= {d.source: d.sha256 for d in documents}  # the bytes indexed, which a later edit no longer matches
        previous = reusable(index_dir, settings)
        known, before = dict(previous.vectors), previous.corpus
        fast = load_numpy_encoder(settings.model)  # None for a model numpy does not reproduce
        counter = fast or load_model(settings.model)
        if settings.chunk_tokens > model_max_tokens(counter):
            log.warning(
                "chunk_tokens %d exceeds the model's %d-token window: chunk ends will be truncated",
                settings.chunk_tokens,
                model_max_tokens(counter),
            )
        unchanged = {d.source for d in documents if previous.texts.get(d.source) == d.text}  # split as before
        chunks = chunk_documents(
            documents, token_counter(counter), settings.chunk_tokens, settings.chunk_overlap,
            {s: previous.spans[s] for s in unchanged},
        )  # fmt: skip
        sentences = document_sentences(documents, {s: previous.sentences[s] for s in unchanged})
        doc_text = {d.source: d.text for d in documents}
        readings = [as_read(doc_text[s.source], s) for s in sentences]
        unique = [c for c in chunks if c.duplicate_of is None]
        tables = derive(documents, unique, sentences, previous.counted)  # BM25 term counts, names: stored
        words = list(tables.sentence_terms.vocabulary)  # every search term of the sentences, sorted
        held = held_sentences(unique, sentences)
        chunk_texts = [c.text for c, rows in zip(unique, held, strict=True) if not rows]  # the few embedded whole
        wanted = (chunk_texts, readings, words)
        reused = len({t for group in wanted for t in group if t in known})
        resumed = read_partial(index_dir, settings.model, model_dimension(counter))  # of a stopped build
        known.update(resumed)
        missing = [list(dict.fromkeys(t for t in group if t not in known)) for group in wanted]
        total = sum(len(m) for m in missing)
        if resumed:
            log.info("going on from an interrupted build: %d texts it embedded are reused",
                     len({t for group in wanted for t in group if t in resumed}))  # fmt: skip
        model = fast if fast is not None and total < SMALL_BUILD else load_build_encoder(settings.model)
        groups = list(zip(missing, ("chunks", "sentences", "terms"), (settings.batch_size,) * 2 + (256,)))
        _embed(model, groups, known, progress, lambda texts, rows: save_partial(index_dir, settings.model, texts, rows))
        sentence_vectors, term_vectors = (_stack(known, g, model_dimension(model)) for g in (readings, words))
        chunk_vectors = _chunk_vectors(unique, held, sentences, sentence_vectors, known, model_dimension(model))
        _log_changes(before, corpus, {d.source for d in documents} | {SIDECAR}, reused=reused, embedded=total)
        manifest = {
            "essays": str(Path(seeds_dir).resolve()),  # what later commands rebuild from when none is named
            "model": settings.model,
            "dimension": model_dimension(model),
            "max_tokens": model_max_tokens(model),
            "chunking": settings.chunking(),
            "chunker": CHUNKER,
            "corpus": corpus,
            "counts": {
                "documents": len(documents),
                "chunks": len(chunks),
                "duplicate_chunks": len(chunks) - len(unique),
                "sentences": len(sentences),
                "terms": len(words),
            },
            "versions": _versions(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        lexical, names = to_stored(tables)
        data = IndexData(
            manifest, tuple(documents), tuple(chunks), tuple(sentences), chunk_vectors, sentence_vectors,
            tuple(words), term_vectors, lexical=lexical, names=names,
        )
        data = write_index(index_dir, data)
        clear_partial(index_dir)
    log.info(
        "indexed %d documents, %d chunks (%d duplicates skipped), %d sentences, %d distinct words in %.1fs",
        len(documents),
        len(chunks),
        len(chunks) - len(unique),
        len(sentences),
        len(words),
        time.perf_counter() - started,
    )
    return data


@dataclass(frozen=True)
class Previous:
    """What a build reuses of the index it replaces: nothing when there is none or another model made it."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # keyed by the text they embed
    corpus: dict[str, str] = field(default_factory=dict)  # the file hashes it was built from
    texts: dict[str, str] = field(default_factory=dict)  # each file's text, when the same chunker and
    # settings split it: a file of the same text keeps its spans and sentences (it is not split again)
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # chunk spans by file
    sentences: dict[str, list[Sentence]] = field(default_factory=dict)  # by file
    counted: tuple[Counted, Counted] | None = None  # chunk and sentence term counts, by the text counted


def reusable(index_dir: str | Path, settings: Settings) -> Previous:
    """The vectors of the index already in ``index_dir`` when it was built with ``settings.model``,
    its chunk spans and sentences by file when the same chunker and settings made them (an
    unchanged file is then not split again), and its term counts."""
    from ..errors import RagError

    try:
        old = read_index(index_dir, REUSABLE_FORMATS)  # an older format's vectors are as good
    except RagError:
        return Previous()
    if old.manifest.get("model") != settings.model:
        return Previous()
    texts = {d.source: d.text for d in old.documents}
    rows = [np.asarray(v) for v in (old.term_vectors, old.sentence_vectors)]  # a memmap's rows are
    # memmaps too, each costing a Python object: plain rows of the same mapped pages are not. Chunk
    # vectors are not reused: most are means of sentence vectors (see _chunk_vectors), not of their text
    vectors: dict[str, np.ndarray] = dict(zip(old.terms, rows[0], strict=True))
    vectors.update(zip((as_read(texts[s.source], s) for s in old.sentences), rows[1], strict=True))
    corpus = dict(old.manifest.get("corpus") or {})
    same = (old.manifest.get("chunker"), old.manifest.get("chunking"), old.manifest.get("versions", {}).get(_SPLITTER))
    if same != (CHUNKER, settings.chunking(), _versions()[_SPLITTER]):
        return Previous(vectors, corpus, counted=counted(old))
    spans: dict[str, list[tuple[int, int]]] = {source: [] for source in texts}
    sentences: dict[str, list[Sentence]] = {source: [] for source in texts}
    for c in old.chunks:
        spans[c.source].append((c.start, c.end))
    for s in old.sentences:
        sentences[s.source].append(s)
    return Previous(vectors, corpus, texts, spans, sentences, counted(old))


def _embed(
    model: Any,
    groups: list[tuple[list[str], str, int]],
    known: dict[str, np.ndarray],
    progress: BuildProgress | None,
    save: Callable[[list[str], np.ndarray], None],
) -> None:
    """Embed each group's texts (what they are, batch size) into ``known``, in slices of similar
    length, passing what is new to ``save`` every ``partial.SAVE_EVERY`` seconds and when the
    build is interrupted or fails, so that the next build goes on from there (see partial.py)."""
    total = sum(len(texts) for texts, _, _ in groups)
    unsaved: list[str] = []
    saved, saved_at, offset = 0, time.monotonic(), 0

    def flush() -> None:
        nonlocal saved, saved_at
        if unsaved:
            save(unsaved, np.stack([known[t] for t in unsaved]))
            saved += len(unsaved)
            unsaved.clear()
        saved_at = time.monotonic()

    try:
        for texts, what, batch in groups:
            lengths = dict(zip(texts, token_lengths(model, texts), strict=True))
            texts = sorted(texts, key=lambda t: -lengths[t])  # by tokens: each batch pads little
            for begin in range(0, len(texts), SLICE * batch):
                part = texts[begin : begin + SLICE * batch]
                done = offset + begin
                report = (lambda n, _of, done=done, what=what: progress(done + n, total, what)) if progress else None
                known.update(zip(part, encode(model, part, batch, report), strict=True))
                unsaved.extend(part)
                if time.monotonic() - saved_at >= partial.SAVE_EVERY:
                    flush()
            offset += len(texts)
    except BaseException:
        try:
            flush()
        except OSError as exc:
            log.warning("the build stopped; the %d texts it embedded last could not be saved (%s)", len(unsaved), exc)
        if saved:
            log.warning("the build stopped: the %d texts it embedded are saved, and the next build goes on from there", saved)
        raise


def held_sentences(chunks: list[Chunk], sentences: list[Sentence]) -> list[list[int]]:
    """Each chunk's whole sentences (rows of ``sentences``): its vector is their mean, and a chunk
    holding none is the only one a build embeds from its own text (see _chunk_vectors)."""
    spans = offsets(sentences)
    return membership(offsets(chunks), spans, source_rows(spans))[1]


def _chunk_vectors(
    chunks: list[Chunk], held: list[list[int]], sentences: list[Sentence], sentence_vectors: np.ndarray,
    known: dict[str, np.ndarray], dim: int,
) -> np.ndarray:
    """Each chunk's vector: the mean of its whole sentences' vectors, each weighted by its length in
    characters, normalised; the vector of its own text when it holds no whole sentence. Every
    sentence is embedded anyway, and embedding the chunks again took half of a build (E86 in
    bench/RESULTS.md)."""
    out = np.zeros((len(chunks), dim), dtype=np.float32)
    for row, (chunk, rows) in enumerate(zip(chunks, held, strict=True)):
        if not rows:
            out[row] = known[chunk.text]
            continue
        weights = np.array([sentences[i].end - sentences[i].start for i in rows], dtype=np.float32)
        mean = weights @ sentence_vectors[rows]
        out[row] = mean / (np.linalg.norm(mean) or 1.0)
    return out


def _stack(vectors: dict[str, np.ndarray], texts: list[str], dim: int) -> np.ndarray:
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    return np.ascontiguousarray(np.stack([vectors[t] for t in texts]), dtype=np.float32)


def _log_changes(before: dict[str, str], after: dict[str, str], indexed: set[str], reused: int, embedded: int) -> None:
    """Say what a rebuild added, changed and dropped (a file now skipped is dropped, and one
    skipped is not added: its warning said why), and how much it could reuse."""
    if before:
        edited = {f for f in set(after) & set(before) if after[f] != before[f]}
        added = sorted((set(after) - set(before)) & indexed)
        dropped = sorted(set(before) - set(after) | edited - indexed)
        changed = sorted(edited & indexed)
        for label, names in (("added", added), ("changed", changed), ("dropped", dropped)):
            if names:
                log.info("%s %d file(s): %s", label, len(names), ", ".join(names[:10]) + (" ..." if len(names) > 10 else ""))
    log.info("embedded %d new texts, reused %d vectors of the previous index", embedded, reused)


def holds_corpus(seeds_dir: str | Path, index_dir: str | Path) -> bool:
    """True when ``seeds_dir`` holds exactly the files the index in ``index_dir`` was built from."""
    from ..errors import RagError

    try:
        return bool(read_manifest(index_dir).get("corpus") == corpus_hashes(seeds_dir))
    except RagError:
        return False


def stale_reason(seeds_dir: str | Path, index_dir: str | Path, settings: Settings) -> str | None:
    """Why the index must be rebuilt (missing, other model, other chunking, built by a version that
    read the files otherwise, changed corpus), or None."""
    from ..errors import IndexMismatchError, IndexMissingError, RagError

    try:
        manifest = read_manifest(index_dir)
    except IndexMissingError:
        return f"there is no index in {str(index_dir)!r} yet"
    except IndexMismatchError as exc:  # written by another version of this program: not damage
        return str(exc).split(": run")[0].rsplit("/", 1)[-1]
    except RagError as exc:
        return f"the index is unreadable: {str(exc).split(': run')[0]}"
    if manifest.get("model") != settings.model:
        return f"built with model {manifest.get('model')!r}, settings ask for {settings.model!r}"
    if manifest.get("chunking") != settings.chunking():
        return "chunking settings changed"
    if manifest.get("chunker") != CHUNKER:
        return "built by a version that read the files otherwise"
    if Path(seeds_dir).is_dir() and manifest.get("corpus") != corpus_hashes(seeds_dir):
        return f"the essays in {str(seeds_dir)!r} changed"
    return None


_SPLITTER = "langchain-text-splitters"


def _versions() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, Any] = {"python": platform.python_version()}
    for name in ("faiss-cpu", "sentence-transformers", _SPLITTER, "torch"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found
