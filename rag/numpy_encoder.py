"""A torch-free query encoder: a sentence-transformers BERT model run as a float32 numpy forward pass.

Loading and encoding a question this way needs only numpy, tokenizers and safetensors (about 0.1 s
of imports against seconds for torch + sentence-transformers) and gives the same vectors as
``SentenceTransformer(folder).encode(texts, normalize_embeddings=True)`` to ~1e-6. ``supports``
accepts only the configurations implemented here exactly; anything else should go to
sentence-transformers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import SafetensorError, safe_open
from tokenizers import Tokenizer

from .mapped import map_safetensors

_LAYER_KEYS = (
    "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
    "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm",
)  # fmt: skip
_EMBED_KEYS = ("word_embeddings", "position_embeddings", "token_type_embeddings", "LayerNorm")
_SBERT_KEYS = {"max_seq_length", "do_lower_case"}
_LEGACY_POOLING = {  # sentence-transformers' old boolean keys -> pooling mode
    "pooling_mode_cls_token": "cls", "pooling_mode_mean_tokens": "mean", "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean", "pooling_mode_lasttoken": "lasttoken",
}  # fmt: skip


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _pooling_mode(config: dict[str, Any]) -> str | None:
    """The single pooling mode a Pooling config declares (new or legacy keys), else None."""
    mode = config.get("pooling_mode")
    if mode is None:
        mode = [name for key, name in _LEGACY_POOLING.items() if config.get(key)]
    if isinstance(mode, list):
        mode = mode[0] if len(mode) == 1 else None
    return mode if isinstance(mode, str) else None


def _plan(model_dir: Path) -> dict[str, Any]:
    """Check a model folder and describe how to run it; ValueError for anything not implemented."""
    modules = sorted(_json(model_dir / "modules.json"), key=lambda m: int(m.get("idx", 0)))
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise ValueError(f"modules {kinds} are not Transformer, Pooling[, Normalize]")
    if (_json(p) if (p := model_dir / "config_sentence_transformers.json").exists() else {}).get(
        "default_prompt_name"
    ):
        raise ValueError("a default prompt is prepended to every text")
    folder = model_dir / modules[0].get("path", "")
    config = _json(folder / "config.json")
    if (
        config.get("model_type") != "bert"
        or config.get("position_embedding_type", "absolute") != "absolute"
        or config.get("hidden_act") != "gelu"
        or config.get("is_decoder") or config.get("add_cross_attention")
        or config["hidden_size"] % config["num_attention_heads"]
    ):  # fmt: skip
        raise ValueError("not an encoder-only BERT with absolute positions and exact GELU")
    sbert = _json(p) if (p := folder / "sentence_bert_config.json").exists() else {}
    tok_config = _json(p) if (p := folder / "tokenizer_config.json").exists() else {}
    processor = (_json(folder / "tokenizer.json").get("post_processor") or {}).get("type")
    if processor not in ("TemplateProcessing", "BertProcessing") or tok_config.get(
        "truncation_side", "right"
    ) != "right":
        raise ValueError("tokenizer.json must add [CLS]/[SEP] itself and truncate on the right")
    if set(sbert) - _SBERT_KEYS:
        raise ValueError(f"unsupported Transformer options {sorted(set(sbert) - _SBERT_KEYS)}")
    pooling = _json(model_dir / modules[1].get("path", "") / "config.json")
    mode = _pooling_mode(pooling)
    if mode not in ("mean", "cls"):
        raise ValueError(f"pooling {mode!r} is not mean or cls")
    with safe_open(str(folder / "model.safetensors"), framework="numpy") as f:
        names = {k: f.get_slice(k).get_dtype() for k in f.keys()}  # noqa: SIM118 - header only
    prefix = "" if "embeddings.word_embeddings.weight" in names else "bert."
    needed = [f"embeddings.{n}" for n in _EMBED_KEYS] + [
        f"encoder.layer.{i}.{n}" for i in range(config["num_hidden_layers"]) for n in _LAYER_KEYS
    ]
    for name in needed:
        for part in ("weight", "bias") if not name.endswith("_embeddings") else ("weight",):
            if names.get(f"{prefix}{name}.{part}") != "F32":
                raise ValueError(f"weight {prefix}{name}.{part} missing or not float32")
    max_len = sbert.get("max_seq_length")
    if max_len is None:  # as sentence-transformers: the tokenizer's limit, capped by the positions
        max_len = min(int(tok_config.get("model_max_length", 10**9)), config["max_position_embeddings"])
    if int(max_len) > config["max_position_embeddings"]:
        raise ValueError(f"max_seq_length {max_len} exceeds max_position_embeddings")
    return {"folder": folder, "config": config, "prefix": prefix, "pooling": mode,
            "max_len": int(max_len), "lower": bool(sbert.get("do_lower_case"))}  # fmt: skip


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x * Phi(x), with erf by Abramowitz & Stegun 7.1.26 (max abs error 1.5e-7), in
    float32; in place on two temporaries (2.5x the speed of the plain expression, same result)."""
    z = np.abs(x)
    z *= np.float32(1.0 / math.sqrt(2.0))
    t = z * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):  # Horner, then one more * t
        poly += np.float32(c)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x| / sqrt 2)
    np.subtract(np.float32(1.0), poly, out=poly)
    np.copysign(poly, x, out=poly)  # erf(x / sqrt 2)
    poly += np.float32(1.0)
    poly *= x
    poly *= np.float32(0.5)
    return poly.astype(np.float32, copy=False)


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis (biased variance, as torch)."""
    mean = x.mean(-1, keepdims=True)
    var = np.square(x - mean).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def bert_layers(
    h: np.ndarray, mask: np.ndarray, layers: Sequence[Sequence[np.ndarray]], heads: int, eps: float,
    first_only: bool = False,
) -> np.ndarray:
    """BERT's post-LayerNorm encoder layers over a padded batch of embedded tokens (batch, width,
    hidden); ``mask`` is 1.0 for real tokens. Each layer's 16 arrays are in _LAYER_KEYS order,
    weight then bias, dense weights transposed (see load_layers). ``first_only``: the last layer
    computes only the first token's output (all a classifier on [CLS] reads), returned as width 1."""
    batch, width, hidden = h.shape
    head_dim = hidden // heads
    h = h.reshape(batch * width, -1)  # one matrix product per weight, not one per text
    bias = ((mask - 1.0) * np.float32(1e9))[:, None, None, :]  # masked keys get no attention
    scale = np.float32(1.0 / math.sqrt(head_dim))

    def split(x: np.ndarray, rows: int = width) -> np.ndarray:
        return x.reshape(batch, rows, heads, head_dim).transpose(0, 2, 1, 3)

    for i, (wq, bq, wk, bk, wv, bv, wo, bo, lw1, lb1, wi, bi, wo2, bo2, lw2, lb2) in enumerate(layers):
        rows = 1 if first_only and i == len(layers) - 1 else width
        queries = h if rows == width else np.ascontiguousarray(h.reshape(batch, width, -1)[:, 0])
        scores = split(queries @ wq + bq, rows) @ split(h @ wk + bk).transpose(0, 1, 3, 2) * scale + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ split(h @ wv + bv)).transpose(0, 2, 1, 3).reshape(batch * rows, -1)
        attended = layer_norm(context @ wo + bo + queries, lw1, lb1, eps)
        inner = attended @ wi + bi
        inner = _gelu(inner)
        h = layer_norm(inner @ wo2 + bo2 + attended, lw2, lb2, eps)
    return h.reshape(batch, -1, hidden)


def padded_batches(encodings: Sequence[Any], batch_size: int) -> Iterator[tuple[list[int], np.ndarray, np.ndarray, np.ndarray]]:
    """Tokenizer encodings in batches of similar length: (their positions, token ids, type ids,
    mask of real tokens), each padded to its batch's longest."""
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
    for begin in range(0, len(order), batch_size):
        rows = order[begin : begin + batch_size]
        width = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros((len(rows), width), dtype=np.float32)
        for r, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[r, :n], types[r, :n], mask[r, :n] = encodings[i].ids, encodings[i].type_ids, 1.0
        yield rows, ids, types, mask


def load_layers(weights: Mapping[str, np.ndarray], count: int) -> list[list[np.ndarray]]:
    """The arrays ``bert_layers`` takes for layers 0..count-1 of a BERT state dict (float32)."""
    layers = []
    for i in range(count):
        params = []
        for name in _LAYER_KEYS:
            weight = np.asarray(weights[f"encoder.layer.{i}.{name}.weight"], np.float32)
            bias = np.asarray(weights[f"encoder.layer.{i}.{name}.bias"], np.float32)
            params += [weight if "LayerNorm" in name else np.ascontiguousarray(weight.T), bias]
        layers.append(params)
    return layers


class NumpyEncoder:
    """A sentence-transformers BERT model folder run with numpy (no torch, no transformers).

    Rows are always L2-normalised, as ``rag.embed.encode`` asks of sentence-transformers.
    Holds no mutable state after construction, so one instance can serve several threads.
    """

    def __init__(self, model_dir: str | Path) -> None:
        plan = _plan(Path(model_dir))
        config, folder, pre = plan["config"], plan["folder"], plan["prefix"]
        self.pooling: str = plan["pooling"]
        self.max_seq_length: int = plan["max_len"]
        self.dimension: int = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # tokenizer.json may ask for fixed padding; we pad per batch
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        if plan["lower"]:
            from tokenizers.normalizers import Lowercase, Sequence as NormSeq

            norm = self.tokenizer.normalizer
            parts: list[Any] = list(norm) if isinstance(norm, NormSeq) else [norm] if norm is not None else []  # type: ignore[call-overload]
            if not any(isinstance(n, Lowercase) for n in parts):
                self.tokenizer.normalizer = NormSeq([Lowercase(), *parts])
        # mapped, not copied: the embedding tables (47 MB) are used as they are; the layers' dense
        # weights are copied transposed (read through a transposed view, a question took 11% longer)
        weights = {k: np.asarray(v) for k, v in map_safetensors(folder / "model.safetensors").items()}
        w = {k[len(pre) :]: v for k, v in weights.items() if k.startswith(pre)}
        self._embed = [w[f"embeddings.{n}.weight"] for n in _EMBED_KEYS] + [w["embeddings.LayerNorm.bias"]]
        self._layers = load_layers(w, int(config["num_hidden_layers"]))

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is, untruncated and without [CLS]/[SEP] (as the chunker measures):
        what truncation cut off comes back as overflowing windows, counted too."""
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        return len(encoding.ids) + sum(len(o.ids) for o in encoding.overflowing)

    def token_embeddings(self) -> tuple[np.ndarray, np.ndarray]:
        """The word and position embedding tables (float32): what the reader reads its input through."""
        return self._embed[0], self._embed[1]

    @staticmethod
    def supports(model_dir: str | Path) -> bool:
        """True when ``model_dir`` is a configuration this encoder reproduces exactly."""
        try:
            _plan(Path(model_dir))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, SafetensorError):
            return False
        return True

    def encode(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (batched by length, padded + masked)."""
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts, not one string")
        encodings = self.tokenizer.encode_batch_fast(list(texts))
        out = np.zeros((len(encodings), self.dimension), dtype=np.float32)
        for rows, ids, types, mask in padded_batches(encodings, batch_size):
            out[rows] = self.forward(ids, types, mask)
        return out

    def forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BertModel + pooling + L2 normalisation for one padded batch."""
        word, position, token_type, ln_w, ln_b = self._embed
        h = layer_norm(word[ids] + position[: ids.shape[1]] + token_type[types], ln_w, ln_b, self._eps)
        h = bert_layers(h, mask, self._layers, self._heads, self._eps)
        if self.pooling == "cls":
            pooled = h[:, 0]
        else:
            pooled = (h * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
