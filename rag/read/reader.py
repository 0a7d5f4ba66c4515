"""The reader, a cross-encoder: reads the question and a candidate sentence together, word by word.

Three BERT layers fine-tuned on SQuAD v1.1 (training/train_reader.py, docs/READER.md) over
the packaged MiniLM's own word and position embeddings, which are not shipped again (and are
shared with the query encoder when it runs the same model in numpy): the weights file holds only
what training changed (the layers, the type embeddings and their LayerNorm, and the classifier),
in float16, or with its matrices in int8 (one scale per row). It gives the calibrated probability
that a sentence answers the question. Numpy only, as the query encoder (numpy_encoder.py): no
torch on the query path. ``RAG_READER`` (or ``Reader.load(path)``) points at other weights.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..numpy_encoder import bert_layers, layer_norm, load_layers, padded_batches

WEIGHTS = Path(__file__).resolve().parent / "weights" / "reader.safetensors"
_EPS = 1e-12


def candidate_text(sentence: str, title: str) -> str:
    """What the model reads after the question: the sentence, then its document's title (as trained)."""
    return f"{sentence} — {title}" if title else sentence


class Reader:
    """P(a sentence answers the question) for each candidate.

    Two calibrated lines: ``threshold`` within a question's own paragraph (train_reader.py), and
    ``answer_threshold`` in the product, where the candidates come from a whole folder
    (training/calibrate_answers.py; a card without it falls back to ``threshold``). Also fitted
    there, ``place_discount``: how much a candidate's logit drops per place its passage ranks
    below the search's first (0 in a card without it), and ``sure_threshold``: the probability under
    which an answer is hedged, nine in ten answers at or above it being right (0 without it: none is).
    """

    def __init__(self, weights: Mapping[str, np.ndarray], word: np.ndarray, position: np.ndarray,
                 tokenizer_file: Path, card: Mapping[str, Any]) -> None:  # fmt: skip
        """``word`` and ``position``: the base model's embedding tables; ``card``: reader.json."""
        from tokenizers import Tokenizer

        try:
            self._layers = load_layers(weights, int(card["layers"]))
            self._word = np.asarray(word, np.float32)
            self._position = np.asarray(position, np.float32)
            self._type = np.asarray(weights["embeddings.token_type_embeddings.weight"], np.float32)
            self._norm_weight = np.asarray(weights["embeddings.LayerNorm.weight"], np.float32)
            self._norm_bias = np.asarray(weights["embeddings.LayerNorm.bias"], np.float32)
            self._head = np.asarray(weights["classifier.weight"], np.float32).reshape(-1)
            self._head_bias = float(np.asarray(weights["classifier.bias"]).reshape(-1)[0])
            self._heads = int(card["heads"])
            self.threshold = float(card["threshold"])
            self.answer_threshold = float(card.get("answer_threshold", self.threshold))
            self.place_discount = float(card.get("place_discount", 0.0))
            self.sure_threshold = float(card.get("sure_threshold", 0.0))
            max_len = int(card["max_len"])
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelError(f"reader weights or card are incomplete ({exc})") from exc
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        # the sentence side is cut, as trained ("only_second"); "longest_first" gives the same pairs
        # unless the question is the longer side, where "only_second" fails (a pasted paragraph)
        self.tokenizer.enable_truncation(max_len, strategy="longest_first")

    @classmethod
    def load(cls, path: str | Path | None = None) -> Reader:
        """The reader at ``path`` (default: RAG_READER, else the shipped weights), checksum verified."""
        return _load(str(Path(path or os.environ.get("RAG_READER") or WEIGHTS).resolve()))

    def probabilities(self, question: str, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """P(answers) for each candidate text (see ``candidate_text``), read together with ``question``."""
        if not texts:
            return np.zeros(0, np.float32)
        encodings = self.tokenizer.encode_batch([(question, t) for t in texts])
        logits = np.zeros(len(texts), np.float32)
        for rows, ids, types, mask in padded_batches(encodings, batch_size):
            h = layer_norm(self._word[ids] + self._position[: ids.shape[1]] + self._type[types], self._norm_weight,
                           self._norm_bias, _EPS)
            h = bert_layers(h, mask, self._layers, self._heads, _EPS, first_only=True)
            logits[rows] = h[:, 0] @ self._head + self._head_bias
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))).astype(np.float32)

    def ranking(self, probability: np.ndarray, place: np.ndarray) -> np.ndarray:
        """``probability`` lowered by each candidate's passage place in the search, as calibrated."""
        return discounted(probability, place, self.place_discount)


def dequantized(weights: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``weights`` with each int8 matrix multiplied by its per-row ``NAME.scale`` (training's
    ``int8_rows``), as float32; float16 weights pass through."""
    return {name: value.astype(np.float32) * weights[f"{name}.scale"][:, None] if f"{name}.scale" in weights
            else value for name, value in weights.items() if not name.endswith(".scale")}  # fmt: skip


def discounted(probability: np.ndarray, place: np.ndarray, discount: float) -> np.ndarray:
    """``probability`` with its logit lowered by ``discount`` per ``place`` (0: the search's first
    passage): the search ranks whole passages, which the reader, reading one sentence, cannot see."""
    p = np.clip(np.asarray(probability, np.float64), 1e-6, 1 - 1e-6)
    return 1.0 / (1.0 + np.exp(discount * np.asarray(place) - np.log(p / (1 - p))))


@lru_cache(maxsize=4)
def _load(path: str) -> Reader:
    from safetensors import SafetensorError, safe_open
    from safetensors.numpy import load_file

    from ..embed import load_numpy_encoder, resolve_model

    weights, card_file = Path(path), Path(path).with_suffix(".json")
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the reader at {path} and its card {card_file.name} ({exc})") from exc
    if digest != card.get("sha256"):
        raise ModelError(f"reader weights {path} do not match the sha256 in {card_file.name}: reinstall or retrain")
    base = str(card.get("base", ""))
    base_dir = Path(resolve_model(base))
    try:
        encoder = load_numpy_encoder(base)  # the query encoder's own tables: not read or held twice
        if encoder is not None:
            word, position = encoder.token_embeddings()
        else:
            with safe_open(str(base_dir / "model.safetensors"), framework="numpy") as f:
                prefix = "" if "embeddings.word_embeddings.weight" in f.keys() else "bert."  # noqa: SIM118
                word = f.get_tensor(f"{prefix}embeddings.word_embeddings.weight")
                position = f.get_tensor(f"{prefix}embeddings.position_embeddings.weight")
        return Reader(dequantized(load_file(str(weights))), word, position, base_dir / "tokenizer.json", card)
    except (OSError, SafetensorError, KeyError) as exc:
        raise ModelError(f"reader {path} or its base model {base_dir} is unreadable ({exc})") from exc
