"""Build an index from a seeds folder: load, chunk, embed, persist (atomically)."""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..embed import encode, load_model, model_dimension, model_max_tokens, token_counter
from ..ingest.chunk import chunk_documents, document_sentences
from ..ingest.load import corpus_hashes, load_corpus
from ..ingest.structure import as_read
from ..retrieve.lexical import terms
from ..settings import Settings
from .store import IndexData, build_lock, read_manifest, write_index

log = logging.getLogger("rag")
# progress(done, total, what) is called while embedding; the CLI shows a bar, the UI a gauge.
BuildProgress = Callable[[int, int, str], None]


def build_index(
    seeds_dir: str | Path,
    index_dir: str | Path,
    settings: Settings,
    progress: BuildProgress | None = None,
) -> IndexData:
    """Ingest ``seeds_dir`` and write a complete index to ``index_dir``."""
    started = time.perf_counter()
    with build_lock(index_dir):
        documents = load_corpus(seeds_dir)
        model = load_model(settings.model)
        if settings.chunk_tokens > model_max_tokens(model):
            log.warning(
                "chunk_tokens %d exceeds the model's %d-token window: chunk ends will be truncated",
                settings.chunk_tokens,
                model_max_tokens(model),
            )
        chunks = chunk_documents(
            documents, token_counter(model), settings.chunk_tokens, settings.chunk_overlap
        )
        sentences = document_sentences(documents)
        texts = {d.source: d.text for d in documents}
        readings = [as_read(texts[s.source], s) for s in sentences]
        unique = [c for c in chunks if c.duplicate_of is None]
        words = sorted({t for r in readings for t in terms(r)})
        total = len(unique) + len(sentences) + len(words)

        def report(offset: int, what: str) -> Callable[[int, int], None]:
            return lambda done, _n: progress(offset + done, total, what) if progress else None

        chunk_vectors = encode(model, [c.text for c in unique], settings.batch_size, report(0, "chunks"))
        sentence_vectors = encode(
            model, readings, settings.batch_size, report(len(unique), "sentences")
        )
        term_vectors = encode(model, words, 256, report(len(unique) + len(sentences), "terms"))
        manifest = {
            "model": settings.model,
            "dimension": model_dimension(model),
            "max_tokens": model_max_tokens(model),
            "chunking": settings.chunking(),
            "corpus": corpus_hashes(seeds_dir),
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
        data = IndexData(
            manifest, tuple(documents), tuple(chunks), tuple(sentences), chunk_vectors, sentence_vectors,
            tuple(words), term_vectors,
        )
        write_index(index_dir, data)
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


def stale_reason(seeds_dir: str | Path, index_dir: str | Path, settings: Settings) -> str | None:
    """Why the index must be rebuilt (missing, other model, other chunking, changed corpus), or None."""
    from ..errors import IndexMissingError, RagError

    try:
        manifest = read_manifest(index_dir)
    except IndexMissingError:
        return f"there is no index in {str(index_dir)!r} yet"
    except RagError as exc:
        return f"the index is unreadable: {str(exc).split(': run')[0]}"
    if manifest.get("model") != settings.model:
        return f"built with model {manifest.get('model')!r}, settings ask for {settings.model!r}"
    if manifest.get("chunking") != settings.chunking():
        return "chunking settings changed"
    if Path(seeds_dir).is_dir() and manifest.get("corpus") != corpus_hashes(seeds_dir):
        return f"the essays in {str(seeds_dir)!r} changed"
    return None


def _versions() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, Any] = {"python": platform.python_version()}
    for name in ("faiss-cpu", "sentence-transformers", "langchain-text-splitters", "torch"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found
