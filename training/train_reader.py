"""Fine-tune the reader (a cross-encoder) on SQuAD pairs, measure it on held-out articles, ship it.

Step 2 of ``make train-reader`` (step 1, training/reader_data.py, writes FOLDER). Needs only
torch, tokenizers, safetensors and numpy (not this package), so it runs wherever those are: on
one GPU an epoch takes about 65 s; on 2 CPU cores with AMX tiles (Intel Sapphire Rapids and later)
or AVX-512 BF16 (AMD Zen 4 and later), which train in bfloat16 too, about an hour; on other CPUs days.

The model reads "[CLS] question [SEP] sentence — title [SEP]" through the packaged MiniLM's
embeddings (word and position embeddings frozen, so they are not shipped) and its first
LAYERS layers, and gives one logit from the [CLS] vector: the probability that the sentence
answers the question, trained with binary cross-entropy on every pair. Per training question
the pairs are every sentence of its paragraph (positive when it holds the answer), two of other
paragraphs of its article and one of another article. Held out (never trained on): the
calibration half sets the refusal threshold at 5% false refusals; the test half gives top-1
within the paragraph and the share of near misses (the paragraph without its answer sentences)
refused. OUT receives reader.safetensors (float16; with ``--int8`` its matrices in int8), its
card reader.json (sha256, threshold, held-out figures; what rag/read/reader.py loads) and
training.json (every epoch's figures).

``--mix-hard N`` puts N hard negatives in place of the two sentences of other paragraphs.
``--hard N`` trains instead on a sample of questions (``--questions``), each with its answer
sentences, two other sentences of its paragraph and N hard negatives (``hard_negatives``);
``--start DIR`` continues from trained weights and ``--train-layers 1`` trains only the top
layer and the head, which is what 2 CPU cores can do (docs/READER.md has one such run).
``--start DIR --epochs 0 --int8`` ships DIR's weights rounded to int8, measured as rounded.
Every ``--checkpoint-minutes`` (10), at each epoch's end and when stopped, the run saves a
checkpoint under FOLDER/checkpoints/ (one per OUT); the same command with ``--resume`` goes on
from it exactly, so a run longer than a session (2 hours an epoch of 4 layers on 2 CPU cores)
loses at most those minutes when it is stopped, and a finished run is not run again.
``--measure-last`` skips the held-out measurement (and shipping) at earlier epochs' ends and at a
stop, which on 2 CPU cores costs 20-40 minutes each; it may be added when resuming.

Usage: python training/train_reader.py FOLDER OUT [--epochs 3] [--max-seconds 0] [--limit 0]
       [--hard 2 --questions 10000] [--start DIR --train-layers 1 --measure-start] [--int8] [--resume]
       [--measure-last]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import lzma
import math
import random
import re
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from torch import nn

MAX_LEN = 96
HEADS = 12
SEED = 13
HARD_HELD_OUT = 3  # hard negatives added to each held-out question's paragraph for "hard near misses refused"


class Layer(nn.Module):
    """One post-LayerNorm BERT layer, as in MiniLM (12 heads, exact GELU)."""

    def __init__(self, width: int = 384, inner: int = 1536, dropout: float = 0.1) -> None:
        super().__init__()
        self.query, self.key, self.value = nn.Linear(width, width), nn.Linear(width, width), nn.Linear(width, width)
        self.attention_out, self.attention_norm = nn.Linear(width, width), nn.LayerNorm(width, eps=1e-12)
        self.intermediate, self.output = nn.Linear(width, inner), nn.Linear(inner, width)
        self.output_norm = nn.LayerNorm(width, eps=1e-12)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, attend: torch.Tensor) -> torch.Tensor:
        b, t, w = x.shape

        def heads(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, HEADS, w // HEADS).transpose(1, 2)

        context = nn.functional.scaled_dot_product_attention(
            heads(self.query(x)), heads(self.key(x)), heads(self.value(x)), attn_mask=attend)
        context = context.transpose(1, 2).reshape(b, t, w)
        x = self.attention_norm(x + self.drop(self.attention_out(context)))
        return self.output_norm(x + self.drop(self.output(nn.functional.gelu(self.intermediate(x)))))


# The names each trained tensor is saved under (BERT's, as in the packaged model), per layer.
LAYER_NAMES = {
    "query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
    "attention_out": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
    "intermediate": "intermediate.dense", "output": "output.dense", "output_norm": "output.LayerNorm",
}  # fmt: skip


class Cross(nn.Module):
    """Frozen word and position embeddings, trained type embeddings, LayerNorm, layers and head."""

    def __init__(self, base: dict[str, torch.Tensor], layers: int) -> None:
        super().__init__()
        self.words = nn.Embedding.from_pretrained(base["embeddings.word_embeddings.weight"].float(), freeze=True)
        self.positions = nn.Embedding.from_pretrained(base["embeddings.position_embeddings.weight"].float(),
                                                      freeze=True)  # fmt: skip
        self.types = nn.Embedding.from_pretrained(base["embeddings.token_type_embeddings.weight"].float(),
                                                  freeze=False)  # fmt: skip
        self.norm = nn.LayerNorm(384, eps=1e-12)
        self.norm.weight.data, self.norm.bias.data = (base["embeddings.LayerNorm.weight"].float(),
                                                      base["embeddings.LayerNorm.bias"].float())  # fmt: skip
        self.layers = nn.ModuleList(Layer() for _ in range(layers))
        for i, layer in enumerate(self.layers):
            for attr, name in LAYER_NAMES.items():
                module = getattr(layer, attr)
                module.weight.data = base[f"encoder.layer.{i}.{name}.weight"].float().clone()
                module.bias.data = base[f"encoder.layer.{i}.{name}.bias"].float().clone()
        self.head = nn.Linear(384, 1)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)
        self.drop = nn.Dropout(0.1)

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.drop(self.norm(self.words(ids) + self.positions(positions)[None] + self.types(types)))
        attend = mask[:, None, None, :]  # True where a key is a real token
        for layer in self.layers:
            x = layer(x, attend)
        return self.head(self.drop(x[:, 0])).squeeze(-1)

    def shipped(self) -> dict[str, torch.Tensor]:
        """The trained tensors, named as in a BERT checkpoint plus ``classifier.*``, in float16."""
        out = {"embeddings.token_type_embeddings.weight": self.types.weight,
               "embeddings.LayerNorm.weight": self.norm.weight, "embeddings.LayerNorm.bias": self.norm.bias,
               "classifier.weight": self.head.weight, "classifier.bias": self.head.bias}  # fmt: skip
        for i, layer in enumerate(self.layers):
            for attr, name in LAYER_NAMES.items():
                module = getattr(layer, attr)
                out[f"encoder.layer.{i}.{name}.weight"] = module.weight
                out[f"encoder.layer.{i}.{name}.bias"] = module.bias
        return {k: v.detach().to(torch.float16).cpu().contiguous() for k, v in out.items()}


def int8_rows(shipped: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The layers' matrices rounded to int8 with one float32 scale per row (``NAME.scale``), the
    rest as given: half float16's size; rag/read/reader.py multiplies them back when it loads."""
    out = {}
    for name, value in shipped.items():
        if value.ndim == 2 and name.startswith("encoder.layer."):
            scale = value.float().abs().amax(dim=1).clamp(min=1e-12) / 127
            out[name] = torch.round(value.float() / scale[:, None]).to(torch.int8).contiguous()
            out[f"{name}.scale"] = scale.contiguous()
        else:
            out[name] = value
    return out


def state_dict_of(shipped: dict[str, torch.Tensor], layers: int) -> dict[str, torch.Tensor]:
    """Shipped tensors (see Cross.shipped, int8_rows) under Cross's own parameter names, as float32."""
    shipped = {k: v.float() * shipped[f"{k}.scale"][:, None] if f"{k}.scale" in shipped else v
               for k, v in shipped.items() if not k.endswith(".scale")}  # fmt: skip
    out = {"types.weight": shipped["embeddings.token_type_embeddings.weight"],
           "norm.weight": shipped["embeddings.LayerNorm.weight"], "norm.bias": shipped["embeddings.LayerNorm.bias"],
           "head.weight": shipped["classifier.weight"], "head.bias": shipped["classifier.bias"]}  # fmt: skip
    for i in range(layers):
        for attr, name in LAYER_NAMES.items():
            for part in ("weight", "bias"):
                out[f"layers.{i}.{attr}.{part}"] = shipped[f"encoder.layer.{i}.{name}.{part}"]
    return {k: v.float() for k, v in out.items()}


def candidate_text(sentence: str, title: str) -> str:
    """The second segment the model reads: the sentence, then its document's title."""
    return f"{sentence} — {title}" if title else sentence


def training_pairs(articles: list[dict], rng: random.Random, limit: int, hard: int = 0) -> list[tuple[str, str, float]]:
    """(question, candidate text, label) for every training question (see the module docstring); with
    ``hard``, that many hard negatives (see hard_negatives) stand in for the two random sentences."""
    train = [a for a in articles if a["split"] == "train"]
    pairs = []
    for a in train:
        sentences, title = a["sentences"], a["title"]
        for q in a["questions"][: limit or None]:
            positives = set(q["positives"])
            others = [i for i in range(len(sentences)) if i not in q["rows"]]
            rows = q["rows"] + (hard_negatives(a, q, hard) if hard else rng.sample(others, min(2, len(others))))
            pairs += [(q["text"], candidate_text(sentences[r], title), float(r in positives)) for r in rows]
            stranger = rng.choice(train)
            if stranger is not a:
                pairs.append((q["text"], candidate_text(rng.choice(stranger["sentences"]), stranger["title"]), 0.0))
    return pairs


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "the a an of in on at to for by with from and or is was were are be been being has had have what which who "
    "whom whose when where why how did does do that this these those it its as his her their than into about".split()
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def _collapse(text: str) -> str:
    return " ".join(text.lower().split())


def hard_negatives(article: dict, question: dict, count: int) -> list[int]:
    """Rows of other paragraphs of the question's article that share the most rare words with it and do
    not hold its answer: the near misses the product meets when the answer sentence is not in the essay."""
    if "_words" not in article:
        article["_words"] = [_words(s) for s in article["sentences"]]
        df: dict[str, int] = {}
        for ws in article["_words"]:
            for w in ws:
                df[w] = df.get(w, 0) + 1
        n = len(article["sentences"])
        article["_idf"] = {w: math.log(1 + n / d) for w, d in df.items()}
    asked, idf, own = _words(question["text"]), article["_idf"], set(question["rows"])
    answer = _collapse(question.get("answer", "")) or None
    shared = {row: sum(idf[w] for w in asked & ws) for row, ws in enumerate(article["_words"]) if row not in own}
    out: list[int] = []
    for row in sorted(shared, key=lambda r: (-shared[r], r)):  # most shared first; ties in reading order
        if len(out) == count or shared[row] <= 0:
            break
        if answer is None or answer not in _collapse(article["sentences"][row]):
            out.append(row)
    return out


def hard_pairs(articles: list[dict], rng: random.Random, questions: int, hard: int) -> list[tuple[str, str, float]]:
    """(question, candidate text, label) for ``questions`` training questions drawn at random: the
    sentences holding the answer, two other sentences of its paragraph, and ``hard`` hard negatives."""
    train = [(a, q) for a in articles if a["split"] == "train" for q in a["questions"]]
    pairs = []
    for a, q in rng.sample(train, min(questions, len(train))):
        positives = set(q["positives"])
        others = [r for r in q["rows"] if r not in positives]
        rows = sorted(positives) + rng.sample(others, min(2, len(others))) + hard_negatives(a, q, hard)
        pairs += [(q["text"], candidate_text(a["sentences"][r], a["title"]), float(r in positives)) for r in rows]
    return pairs


def bf16(device: str) -> bool:
    """Whether to train and measure in bfloat16: on a GPU, and on a CPU with AMX tiles (Intel Sapphire
    Rapids and later) or AVX-512 BF16 (AMD Zen 4 and later), where bf16 matrix products run about 8
    and 4.5 times as fast as float32."""
    fast = device == "cpu" and (torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())
    return device == "cuda" or fast


def encode(tokenizer: Tokenizer, pairs: list[tuple[str, str]]) -> list[tuple[list[int], list[int]]]:
    """Token ids and type ids of each (question, candidate), truncated on the candidate to MAX_LEN."""
    return [(e.ids, e.type_ids) for e in tokenizer.encode_batch(pairs)]


def batches(encoded: list[tuple[list[int], list[int]]], size: int, rng: random.Random | None) -> list[list[int]]:
    """Indices in batches of similar length (shuffled when ``rng`` is given)."""
    order = list(range(len(encoded)))
    if rng is not None:
        rng.shuffle(order)
    out = []
    for start in range(0, len(order), size * 50):
        chunk = sorted(order[start : start + size * 50], key=lambda i: len(encoded[i][0]))
        out += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    if rng is not None:
        rng.shuffle(out)
    return out


def tensors(encoded: list[tuple[list[int], list[int]]], batch: list[int], device: str) -> tuple[torch.Tensor, ...]:
    """Padded ids, type ids and mask of one batch."""
    width = max(len(encoded[i][0]) for i in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids, dtype=torch.bool)
    for row, i in enumerate(batch):
        token_ids, type_ids = encoded[i]
        ids[row, : len(token_ids)] = torch.tensor(token_ids)
        types[row, : len(type_ids)] = torch.tensor(type_ids)
        mask[row, : len(token_ids)] = True
    return ids.to(device), types.to(device), mask.to(device)


@torch.no_grad()
def probabilities(model: Cross, encoded: list[tuple[list[int], list[int]]], device: str,
                  exact: bool = False) -> np.ndarray:  # fmt: skip
    """The model's probability for every encoded pair (in float32 with ``exact``, else as it trains)."""
    model.eval()
    out = np.zeros(len(encoded), np.float32)
    for batch in batches(encoded, 512, None):
        with torch.autocast(device, dtype=torch.bfloat16, enabled=bf16(device) and not exact):
            logits = model(*tensors(encoded, batch, device))
        out[batch] = torch.sigmoid(logits.float()).cpu().numpy()
    model.train()
    return out


def held_out_figures(model: Cross, tokenizer: Tokenizer, articles: list[dict], device: str, limit: int) -> dict:
    """Top-1 within the paragraph, and near misses refused at the calibration half's 5%-false-refusal threshold."""
    figures: dict[str, dict] = {}
    for split in ("calibration", "test"):
        pairs, groups = [], []
        for a in (a for a in articles if a["split"] == split):
            for q in a["questions"][: limit or None]:
                at, hard = len(pairs), hard_negatives(a, q, HARD_HELD_OUT)
                rows = q["rows"] + hard
                pairs += [(q["text"], candidate_text(a["sentences"][r], a["title"])) for r in rows]
                groups.append((at, [r in set(q["positives"]) for r in q["rows"]], len(hard)))
        p = probabilities(model, encode(tokenizer, pairs), device)
        top1, best, without, harder = [], [], [], []
        for at, labels, extra in groups:
            scores = p[at : at + len(labels)]
            top1.append(labels[int(np.argmax(scores))])
            best.append(float(scores.max()))
            rest = [s for s, y in zip(scores, labels, strict=True) if not y]
            if rest:
                without.append(max(rest))
                harder.append(max([*rest, *p[at + len(labels) : at + len(labels) + extra]]))
        figures[split] = {"top1": float(np.mean(top1)), "best": np.array(best), "without": np.array(without),
                          "harder": np.array(harder), "questions": len(groups)}  # fmt: skip
    threshold = float(np.quantile(figures["calibration"]["best"], 0.05))
    out = {"threshold": threshold}
    for split, f in figures.items():
        best, without = f["best"], f["without"]
        auc = float(np.mean(best[:, None] > without[None, :]) + 0.5 * np.mean(best[:, None] == without[None, :]))
        out[split] = {"questions": f["questions"], "top1": round(f["top1"], 4),
                      "false_refusals": round(float(np.mean(best < threshold)), 4),
                      "near_miss_refused": round(float(np.mean(without < threshold)), 4), "auc": round(auc, 4),
                      "hard_near_miss_refused": round(float(np.mean(f["harder"] < threshold)), 4)}  # fmt: skip
    return out


def ship(shipped: dict[str, torch.Tensor], out: Path, base: dict, log: dict) -> None:
    """Write the weights, their card (what the product loads: sha256, threshold, shape, figures) and the log."""
    weights = out / "reader.safetensors"
    save_file(shipped, str(weights))
    last = log["epochs"][-1]
    card = {"format": 1, "base": base["base"], "layers": base["layers"], "heads": HEADS, "max_len": MAX_LEN,
            "precision": "int8 matrices, a float32 scale per row" if any(k.endswith(".scale") for k in shipped)
                         else "float16",
            "threshold": round(last["threshold"], 6),
            "threshold_means": "5% of the calibration half's answerable questions have no sentence of their "
                               "paragraph at or above it",
            "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
            "trained": {"command": "make train-reader", "pairs": log["pairs"], "positives": round(log["positives"], 4),
                        "epochs": len(log["epochs"]), "device": log["device"], "seed": SEED,
                        **({"after": log["start"]["trained"]} if "start" in log else {})},
            "held_out": {"calibration": last["calibration"], "test": last["test"]}}  # fmt: skip
    (out / "reader.json").write_text(json.dumps(card, indent=1) + "\n")
    (out / "training.json").write_text(json.dumps(log, indent=1) + "\n")


def checkpoint_path(folder: Path, out: Path) -> Path:
    """Where a run writing ``out`` keeps its checkpoint: under FOLDER (a cache), not beside the
    shipped weights, one file per output folder."""
    digest = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:10]
    return folder / "checkpoints" / f"{out.name}-{digest}.safetensors"


def same_run(recipe: dict) -> dict:
    """What must match for a checkpoint to go on: the recipe without the options of stopping and resuming."""
    stopping = ("max_seconds", "max_steps", "resume", "checkpoint_minutes", "measure_last")
    return {k: v for k, v in recipe.items() if k not in stopping}


def save_checkpoint(path: Path, model: Cross, optimiser: torch.optim.Optimizer,
                    schedule: torch.optim.lr_scheduler.LambdaLR, state: dict) -> None:  # fmt: skip
    """Everything a stopped run needs to go on exactly (trained weights, AdamW's moments, the schedule,
    the random states, ``state``) in one safetensors file, replaced atomically: no pickle."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items() if not k.startswith(("words.", "positions."))}
    params = [p for group in optimiser.param_groups for p in group["params"]]
    for i, p in enumerate(params):
        for key, value in optimiser.state.get(p, {}).items():
            tensors[f"adam.{i}.{key}"] = value.reshape(-1) if value.ndim == 0 else value
    tensors["torch_rng"] = torch.get_rng_state()
    meta = {"state": json.dumps(state), "schedule": json.dumps(schedule.state_dict())}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(partial), metadata=meta)
    partial.replace(path)


def load_checkpoint(path: Path, model: Cross, optimiser: torch.optim.Optimizer,
                    schedule: torch.optim.lr_scheduler.LambdaLR) -> dict:  # fmt: skip
    """Restore what save_checkpoint wrote into the model, optimiser and schedule; the run's ``state``."""
    from safetensors import safe_open

    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
    tensors = load_file(str(path))
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, strict=False)
    params = [p for group in optimiser.param_groups for p in group["params"]]
    for i, p in enumerate(params):
        moments = {k.split(".", 2)[2]: v for k, v in tensors.items() if k.startswith(f"adam.{i}.")}
        if moments:
            optimiser.state[p] = {k: v.reshape(()) if k == "step" else v for k, v in moments.items()}
    schedule.load_state_dict(json.loads(meta["schedule"]))
    for group, lr in zip(optimiser.param_groups, schedule.get_last_lr(), strict=True):
        group["lr"] = lr
    torch.set_rng_state(tensors["torch_rng"])
    return json.loads(meta["state"])


def finish(model: Cross, args: argparse.Namespace, base: dict, tokenizer: Tokenizer, articles: list[dict],
           device: str, log: dict, entry: dict, started: float) -> None:  # fmt: skip
    """Round the weights (int8 with ``--int8``), measure them as they will ship, and ship them."""
    shipped = int8_rows(model.shipped()) if args.int8 else model.shipped()
    measured = copy.deepcopy(model)
    measured.load_state_dict(state_dict_of(shipped, base["layers"]), strict=False)
    figures = held_out_figures(measured, tokenizer, articles, device, args.limit)
    log["epochs"].append(entry | figures | {"seconds": round(time.time() - started)})
    ship(shipped, args.out, base, log)
    print(json.dumps(log["epochs"][-1]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--max-seconds", type=float, default=0.0, help="stop training after this long (0: never)")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps, on the full schedule (0: never)")
    parser.add_argument("--limit", type=int, default=0, help="questions per article (0: all), for a smoke test")
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--start", type=Path, help="a folder with reader.safetensors to continue from (default: the base)")
    parser.add_argument("--hard", type=int, default=0, help="train on hard negatives instead (see hard_pairs): how many")
    parser.add_argument("--mix-hard", type=int, default=0, help="every question, with this many hard negatives "
                        "in place of its two random sentences")
    parser.add_argument("--questions", type=int, default=20000, help="training questions drawn for --hard")
    parser.add_argument("--train-layers", type=int, default=0, help="train only the top N layers and the head (0: all)")
    parser.add_argument("--measure-start", action="store_true", help="measure --start's held-out figures first")
    parser.add_argument("--checkpoint-minutes", type=float, default=10.0,
                        help="minutes between checkpoints (FOLDER/checkpoints/), also saved at each epoch's end")
    parser.add_argument("--resume", action="store_true", help="go on from this run's checkpoint, if there is one")
    parser.add_argument("--measure-last", action="store_true", help="measure and ship only after the last epoch, "
                        "not at earlier ones or at a stop (each costs 20-40 minutes on 2 CPU cores; the checkpoint keeps all)")
    parser.add_argument("--int8", action="store_true", help="ship the layers' matrices as int8 (see int8_rows)")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.time()
    articles = json.loads(lzma.decompress((args.folder / "articles.json.xz").read_bytes()))
    tokenizer = Tokenizer.from_file(str(args.folder / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_LEN, strategy="only_second")
    tokenizer.no_padding()
    base = json.loads((args.folder / "base.json").read_text())
    model = Cross(load_file(str(args.folder / "base.safetensors")), base["layers"]).to(device)
    log: dict = {"layers": base["layers"], "device": device, "epochs": []}
    if args.start:  # a second stage, from the first stage's weights
        start = args.start / "reader.safetensors"
        model.load_state_dict(state_dict_of(load_file(str(start)), base["layers"]), strict=False)
        log["start"] = {"weights": str(start), "sha256": hashlib.sha256(start.read_bytes()).hexdigest(),
                        "trained": json.loads(start.with_suffix(".json").read_text()).get("trained")}  # fmt: skip
        if args.measure_start:  # the same-run baseline (20 minutes on 2 CPU cores)
            log["start"]["figures"] = held_out_figures(model, tokenizer, articles, device, args.limit)
            print(json.dumps(log["start"]["figures"]), flush=True)
    if not args.epochs:  # --start as it would ship (rounded with --int8), measured; its own log goes on
        if not args.start:
            parser.error("--epochs 0 ships --start: name it")
        log = json.loads((args.start / "training.json").read_text()) | {"rounded_from": log["start"]}
        last = log["epochs"].pop()
        entry = last | {"before_rounding": {k: last[k] for k in ("threshold", "calibration", "test")}}
        args.out.mkdir(parents=True, exist_ok=True)
        finish(model, args, base, tokenizer, articles, device, log, entry, started)
        return
    if args.train_layers:
        for name, parameter in model.named_parameters():
            top = name.startswith("head.") or any(name.startswith(f"layers.{i}.")
                                                  for i in range(base["layers"] - args.train_layers, base["layers"]))  # fmt: skip
            parameter.requires_grad = top
    if args.hard:
        pairs = hard_pairs(articles, rng, args.questions, args.hard)
    else:
        pairs = training_pairs(articles, rng, args.limit, args.mix_hard)
    encoded = encode(tokenizer, [(q, c) for q, c, _ in pairs])
    labels = torch.tensor([y for _, _, y in pairs])
    steps = args.epochs * math.ceil(len(pairs) / args.batch)
    head = list(model.head.parameters())
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    optimiser = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
                                  weight_decay=0.01)  # fmt: skip
    warmup = max(1, steps // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup)))
    log |= {"pairs": len(pairs), "positives": float(labels.mean()), "recipe": vars(args) | {
        "folder": str(args.folder), "out": str(args.out), "start": str(args.start) if args.start else None}}
    print(f"{len(pairs)} pairs, {steps} steps, on {device}, ready in {time.time() - started:.0f} s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = checkpoint_path(args.folder, args.out)
    step, first, done, total = 0, 0, 0, 0.0  # steps taken; the epoch, batches and loss sum to go on from
    if args.resume and checkpoint.is_file():
        state = load_checkpoint(checkpoint, model, optimiser, schedule)
        if same_run(state["log"]["recipe"]) != same_run(log["recipe"]):
            parser.error(f"{checkpoint} is of a run with another recipe: delete it or give that run's options")
        step, first, done, total, log = state["step"], state["epoch"], state["done"], state["total"], state["log"]
        rng.setstate((state["rng"][0], tuple(state["rng"][1]), state["rng"][2]))
        print(f"going on from {checkpoint}: epoch {first}, step {step}", flush=True)
    saved, stopped = time.time(), False
    for epoch in range(first, args.epochs):
        at_start = rng.getstate()  # what orders this epoch's batches, kept so that a resumed run orders them alike
        for n, batch in enumerate(batches(encoded, args.batch, rng)):
            if n < done:
                continue
            with torch.autocast(device, dtype=torch.bfloat16, enabled=bf16(device)):
                logits = model(*tensors(encoded, batch, device))
            loss = nn.functional.binary_cross_entropy_with_logits(logits.float(), labels[batch].to(device))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            total += loss.item()
            if n % 200 == 0:
                print(f"epoch {epoch} step {step}/{steps} loss {total / (n + 1):.4f} {time.time() - started:.0f} s",
                      flush=True)  # fmt: skip
            stopped = bool(args.max_seconds and time.time() - started > args.max_seconds or step == args.max_steps)
            if stopped or time.time() - saved > 60 * args.checkpoint_minutes:
                state = {"step": step, "epoch": epoch, "done": n + 1, "total": total, "rng": at_start, "log": log}
                save_checkpoint(checkpoint, model, optimiser, schedule, state)
                saved = time.time()
            if stopped:
                break
        entry = {"epoch": epoch, "steps": step, "loss": total / (n + 1)}
        if not args.measure_last or epoch == args.epochs - 1 and not stopped:
            finish(model, args, base, tokenizer, articles, device, log, entry, started)
        if stopped:
            break
        done, total = 0, 0.0
        state = {"step": step, "epoch": epoch + 1, "done": 0, "total": 0.0, "rng": rng.getstate(), "log": log}
        save_checkpoint(checkpoint, model, optimiser, schedule, state)

if __name__ == "__main__":
    main()
