"""Vectors of a build that has not finished, kept so that a stopped build goes on where it stopped.

A large corpus takes long to embed (1,000 essays: about half an hour on two cores). A build
saves what it has embedded to ``index/partial/`` every ``SAVE_EVERY`` seconds and when it is
interrupted or fails (Ctrl-C, a full disk, a model error), so the next build embeds only the
rest; a build that completes removes the folder. Each part is a float32 ``.npy`` file and a
JSON card with the model, the texts and the file's sha256, written after the vectors: a part
whose card is missing or does not match is ignored, never an error, since it is only a cache.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .store import atomic_write_text, file_sha256, write_vectors

log = logging.getLogger("rag")

PARTIAL = "partial"  # the folder under the index folder
SAVE_EVERY = 60.0  # seconds of embedding between saves: at most this much is lost to a killed process


def save_partial(index_dir: str | Path, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
    """Add one part: ``vectors`` (one row per text) embedded by ``model``."""
    if not len(texts):
        return
    folder = Path(index_dir) / PARTIAL
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"part-{uuid.uuid4().hex[:12]}"
    write_vectors(stem.with_suffix(".npy"), vectors)
    card = {"model": model, "sha256": file_sha256(stem.with_suffix(".npy")), "texts": list(texts)}
    atomic_write_text(stem.with_suffix(".json"), json.dumps(card, ensure_ascii=False))


def read_partial(index_dir: str | Path, model: str, dimension: int) -> dict[str, np.ndarray]:
    """Every vector the saved parts hold for ``model``, keyed by its text; damaged parts are skipped."""
    vectors: dict[str, np.ndarray] = {}
    for card_path in sorted((Path(index_dir) / PARTIAL).glob("part-*.json")):
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            if card.get("model") != model:
                continue
            path = card_path.with_suffix(".npy")
            if file_sha256(path) != card["sha256"]:
                raise ValueError("its vectors do not match its checksum")
            rows = np.load(path, allow_pickle=False)
            texts = card["texts"]
            if rows.dtype != np.float32 or rows.shape != (len(texts), dimension):
                raise ValueError(f"it holds {rows.dtype} {rows.shape}, not {len(texts)} vectors of {dimension}")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("skipping %s of an interrupted build: %s", card_path.name, exc)
            continue
        vectors.update(zip(texts, rows, strict=True))
    return vectors


def clear_partial(index_dir: str | Path) -> None:
    """Remove the saved parts (after a build has written a complete index)."""
    shutil.rmtree(Path(index_dir) / PARTIAL, ignore_errors=True)
