"""Write what the reader is trained from (SQuAD articles, base weights, tokenizer) into one folder.

Step 1 of ``make train-reader`` (step 2, training/train_reader.py, needs only torch, tokenizers
and safetensors, so the folder can be carried to a machine with an accelerator and nothing else):
- ``articles.json.xz``: every SQuAD article's title and sentences (split by the product's own
  splitter, rag/ingest/sentences.py), which held-out half it is in, and its questions, each with
  its answer, the rows of its paragraph and which of them hold the answer;
- ``base.safetensors``: the packaged MiniLM's embeddings and its first LAYERS layers (float16),
  the starting point; ``tokenizer.json``: its tokenizer; ``base.json``: the base model's name.

Usage: python training/reader_data.py [OUT_FOLDER] [LAYERS] [--articles-only]  (default
training/cache/reader, 3 layers). ``--articles-only`` writes only ``articles.json.xz``: what
training/on_device.sh runs on a machine that has torch but not the packaged model, so that only the
weights travel there.
"""

from __future__ import annotations

import argparse
import json
import lzma
import shutil
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.embed import resolve_model  # noqa: E402
from rag.read.squad import Article, calibration_half, load_articles  # noqa: E402
from rag.settings import DEFAULT_MODEL  # noqa: E402

LAYERS = 3  # transformer layers kept from the 6 of MiniLM-L6 (the query path runs them on CPU)


def main(out: Path, layers: int = LAYERS, articles_only: bool = False) -> None:
    """Write every article, and unless ``articles_only`` the base weights and tokenizer, into ``out``."""
    if articles_only:
        write_articles(out, load_articles())
        print(f"articles -> {out / 'articles.json.xz'}")
    else:
        write_folder(out, load_articles(), layers)


def write_folder(out: Path, articles: list[Article], layers: int) -> None:
    """Write ``articles``, the base weights (the first ``layers`` layers) and the tokenizer into ``out``."""
    write_articles(out, articles)
    write_base(out, layers)
    print(f"{len(articles)} articles, {sum(len(a.questions) for a in articles)} questions, {layers} layers -> {out}")


def write_articles(out: Path, articles: list[Article]) -> None:
    """Write ``articles`` (sentences, held-out half, questions with their rows) as ``articles.json.xz``."""
    out.mkdir(parents=True, exist_ok=True)
    calibration = calibration_half(articles)
    rows = []
    for a in articles:
        split = ("calibration" if a.index in calibration else "test") if a.held_out else "train"
        questions = []
        for q in a.questions:
            members = [i for i, p in enumerate(a.paragraph_of) if p == q.paragraph]
            questions.append({"text": q.text, "answer": q.answer, "rows": members, "positives": list(q.positives)})
        rows.append({"index": a.index, "title": a.title, "split": split, "sentences": list(a.sentences),
                     "paragraph_of": list(a.paragraph_of), "questions": questions})  # fmt: skip
    (out / "articles.json.xz").write_bytes(lzma.compress(json.dumps(rows).encode("utf-8")))


def write_base(out: Path, layers: int) -> None:
    """Write the packaged MiniLM's embeddings and first ``layers`` layers (float16) and its tokenizer."""
    model = Path(resolve_model(DEFAULT_MODEL))
    weights = load_file(str(model / "model.safetensors"))
    keep = {k: v.astype(np.float16) for k, v in weights.items()
            if k.startswith("embeddings.") and k != "embeddings.position_ids"
            or any(k.startswith(f"encoder.layer.{i}.") for i in range(layers))}  # fmt: skip
    save_file(keep, str(out / "base.safetensors"))
    shutil.copy(model / "tokenizer.json", out / "tokenizer.json")
    (out / "base.json").write_text(json.dumps({"base": DEFAULT_MODEL, "layers": layers}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write what the reader is trained from into one folder.")
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "training" / "cache" / "reader")
    parser.add_argument("layers", nargs="?", type=int, default=LAYERS)
    parser.add_argument("--articles-only", action="store_true",
                        help="write articles.json.xz alone (no packaged model needed)")
    args = parser.parse_args()
    main(args.out, args.layers, args.articles_only)
