"""Experiment E47: a span reader that reads the whole paragraph and marks the answer (SQuAD 2.0 style).

The shipped reader reads one sentence at a time; this one reads "[CLS] question [SEP] paragraph —
title [SEP]" through the same 3 layers (started from the shipped reader's weights) and gives every
token a start and an end logit; [CLS] is "no answer". A sentence's score is its best span (start <=
end, under 30 tokens, inside the sentence) less the [CLS] span. Trained on every training question's
paragraph (the answer's first occurrence in its first answer sentence) and, for every other question,
its paragraph without its answer sentences plus 2 hard negatives (target: [CLS]). Measured as
train_reader.py measures the shipped reader: top-1 sentence within the paragraph, near misses refused
at the calibration half's 5%-false-refusal threshold, hard near misses refused.

Usage: python training/train_span.py FOLDER OUT [--epochs 1] [--limit 0] [--max-seconds 0]
"""

from __future__ import annotations

import argparse
import json
import lzma
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_reader import HARD_HELD_OUT, SEED, Cross, bf16, hard_negatives, state_dict_of  # noqa: E402

TRAIN_LEN, MEASURE_LEN, LONGEST = 256, 384, 30


class Span(Cross):
    """The reader's layers with a start/end head on every token."""

    def __init__(self, base: dict[str, torch.Tensor], layers: int) -> None:
        super().__init__(base, layers)
        self.span = nn.Linear(384, 2)
        nn.init.normal_(self.span.weight, std=0.02)
        nn.init.zeros_(self.span.bias)

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.drop(self.norm(self.words(ids) + self.positions(positions)[None] + self.types(types)))
        attend = mask[:, None, None, :]
        for layer in self.layers:
            x = layer(x, attend)
        logits = self.span(x).float()
        return logits.masked_fill(~mask[..., None], -1e4)  # (batch, tokens, 2)


def context(sentences: list[str], rows: list[int], title: str) -> tuple[str, list[tuple[int, int, int]]]:
    """The text read after the question, and (row, start, end) of each sentence in it."""
    parts, spans, at = [], [], 0
    for r in rows:
        parts.append(sentences[r])
        spans.append((r, at, at + len(sentences[r])))
        at += len(sentences[r]) + 1
    return " ".join(parts) + (f" — {title}" if title else ""), spans


def token_rows(encoding, spans: list[tuple[int, int, int]]) -> np.ndarray:
    """Per token, the index into ``spans`` of the sentence it lies in (-1: question, title, specials)."""
    out = np.full(len(encoding.ids), -1, np.int32)
    seq = encoding.sequence_ids
    for t, ((a, b), s) in enumerate(zip(encoding.offsets, seq, strict=True)):
        if s != 1:
            continue
        for k, (_, start, end) in enumerate(spans):
            if start <= a < end:
                out[t] = k
                break
    return out


def training_items(articles: list[dict], tokenizer: Tokenizer, rng: random.Random, limit: int) -> list[tuple]:
    """(ids, types, start, end) per training example; start = end = 0 means no answer."""
    texts, targets = [], []
    for a in (a for a in articles if a["split"] == "train"):
        sentences, title = a["sentences"], a["title"]
        for n, q in enumerate(a["questions"][: limit or None]):
            positives = set(q["positives"])
            first = min(positives)
            text, spans = context(sentences, q["rows"], title)
            row_start = next(s for r, s, _ in spans if r == first)
            found = sentences[first].find(q["answer"])
            if found < 0:
                found = sentences[first].lower().find(q["answer"].lower())
            if found >= 0:
                texts.append((q["text"], text))
                targets.append((row_start + found, row_start + found + len(q["answer"])))
            if n % 2 == 1:
                rest = [r for r in q["rows"] if r not in positives]
                hard = hard_negatives(a, q, 2)
                mixed = rest[:]
                for h in hard:
                    mixed.insert(rng.randrange(len(mixed) + 1), h)
                if mixed:
                    texts.append((q["text"], context(sentences, mixed, title)[0]))
                    targets.append(None)
    tokenizer.enable_truncation(TRAIN_LEN, strategy="only_second")
    items = []
    for e, target in zip(tokenizer.encode_batch(texts), targets, strict=True):
        start = end = 0
        if target is not None:
            hits = [t for t, ((x, y), s) in enumerate(zip(e.offsets, e.sequence_ids, strict=True))
                    if s == 1 and x < target[1] and y > target[0]]  # fmt: skip
            if not hits:
                continue  # truncated away
            start, end = hits[0], hits[-1]
        items.append((e.ids, e.type_ids, start, end))
    return items


def batches(lengths: list[int], tokens: int, rng: random.Random | None, keep_all: bool = True) -> list[list[int]]:
    """Indices in batches of similar length, about ``tokens`` tokens each. Widths are rounded up to
    a multiple of 32 and each width has one batch size, so that few shapes recur (a CPU run's
    memory grew with every new shape); without ``keep_all`` a width's last short batch is dropped."""
    order = list(range(len(lengths)))
    if rng is not None:
        rng.shuffle(order)
    out = []
    for at in range(0, len(order), 8000):
        by_width: dict[int, list[int]] = {}
        for i in order[at : at + 8000]:
            by_width.setdefault(width_of(lengths[i]), []).append(i)
        for width, members in by_width.items():
            size = max(1, tokens // width)
            out += [members[j : j + size] for j in range(0, len(members), size)
                    if keep_all or j + size <= len(members)]  # fmt: skip
    if rng is not None:
        rng.shuffle(out)
    return out


def width_of(length: int) -> int:
    """A batch's padded width: ``length`` rounded up to a multiple of 32."""
    return -(-length // 32) * 32


def padded(rows: list[tuple[list[int], list[int]]], device: str) -> tuple[torch.Tensor, ...]:
    """Padded ids, type ids and mask (to a multiple of 32 tokens)."""
    width = width_of(max(len(r[0]) for r in rows))
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    types, mask = torch.zeros_like(ids), torch.zeros_like(ids, dtype=torch.bool)
    for i, (a, b) in enumerate(rows):
        ids[i, : len(a)], types[i, : len(b)], mask[i, : len(a)] = torch.tensor(a), torch.tensor(b), True
    return ids.to(device), types.to(device), mask.to(device)


def sentence_scores(logits: np.ndarray, rows: np.ndarray, count: int) -> np.ndarray:
    """Per sentence, its best span (start + end, under LONGEST tokens) less the [CLS] span."""
    null = logits[0, 0] + logits[0, 1]
    out = np.full(count, -1e9, np.float32)
    for k in range(count):
        at = np.flatnonzero(rows == k)
        if not len(at):
            continue
        s, e = logits[at, 0], logits[at, 1]
        pair = s[:, None] + e[None, :]
        i, j = np.indices(pair.shape)
        pair[(j < i) | (j - i >= LONGEST)] = -1e9
        out[k] = pair.max() - null
    return out


@torch.no_grad()
def read(model: Span, tokenizer: Tokenizer, items: list[tuple[str, str, list]], device: str) -> list[np.ndarray]:
    """Sentence scores for each (question, context text, spans)."""
    tokenizer.enable_truncation(MEASURE_LEN, strategy="only_second")
    encodings = tokenizer.encode_batch([(q, t) for q, t, _ in items])
    model.eval()
    out: list[np.ndarray] = [np.zeros(0)] * len(items)
    for batch in batches([len(e.ids) for e in encodings], 16384, None):
        with torch.autocast(device, dtype=torch.bfloat16, enabled=bf16(device)):
            logits = model(*padded([(encodings[i].ids, encodings[i].type_ids) for i in batch], device))
        logits = logits.float().cpu().numpy()
        for row, i in enumerate(batch):
            e = encodings[i]
            out[i] = sentence_scores(logits[row, : len(e.ids)], token_rows(e, items[i][2]), len(items[i][2]))
    model.train()
    return out


def held_out_figures(model: Span, tokenizer: Tokenizer, articles: list[dict], device: str, limit: int) -> dict:
    """As train_reader.held_out_figures: top-1, near misses and hard near misses refused, AUC."""
    figures = {}
    for split in ("calibration", "test"):
        items, groups = [], []
        for a in (a for a in articles if a["split"] == split):
            sentences, title = a["sentences"], a["title"]
            for q in a["questions"][: limit or None]:
                positives = set(q["positives"])
                rest = [r for r in q["rows"] if r not in positives]
                at = len(items)
                for rows in (q["rows"], rest, rest + hard_negatives(a, q, HARD_HELD_OUT)):
                    text, spans = context(sentences, rows, title)
                    items.append((q["text"], text, spans))
                groups.append((at, [r in positives for r in q["rows"]], bool(rest)))
        scores = read(model, tokenizer, items, device)
        top1, best, without, harder = [], [], [], []
        for at, labels, has_rest in groups:
            s = scores[at]
            top1.append(labels[int(np.argmax(s))])
            best.append(float(s.max()))
            if has_rest:
                without.append(float(scores[at + 1].max()))
                harder.append(float(scores[at + 2].max()))
        figures[split] = {"top1": float(np.mean(top1)), "best": np.array(best), "without": np.array(without),
                          "harder": np.array(harder), "questions": len(groups)}  # fmt: skip
    threshold = float(np.quantile(figures["calibration"]["best"], 0.05))
    out: dict = {"threshold": threshold}
    for split, f in figures.items():
        best, without = f["best"], f["without"]
        auc = float(np.mean(best[:, None] > without[None, :]) + 0.5 * np.mean(best[:, None] == without[None, :]))
        out[split] = {"questions": f["questions"], "top1": round(f["top1"], 4),
                      "false_refusals": round(float(np.mean(best < threshold)), 4),
                      "near_miss_refused": round(float(np.mean(without < threshold)), 4), "auc": round(auc, 4),
                      "hard_near_miss_refused": round(float(np.mean(f["harder"] < threshold)), 4)}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--start", type=Path, default=Path("rag/read/weights"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=8192, help="tokens per batch")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--measure-limit", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=0.0)
    args = parser.parse_args()
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.time()
    articles = json.loads(lzma.decompress((args.folder / "articles.json.xz").read_bytes()))
    tokenizer = Tokenizer.from_file(str(args.folder / "tokenizer.json"))
    tokenizer.no_padding()
    base = json.loads((args.folder / "base.json").read_text())
    model = Span(load_file(str(args.folder / "base.safetensors")), base["layers"]).to(device)
    if args.start:
        model.load_state_dict(state_dict_of(load_file(str(args.start / "reader.safetensors")), base["layers"]),
                              strict=False)  # fmt: skip
    items = training_items(articles, tokenizer, rng, args.limit)
    lengths = [len(i[0]) for i in items]
    plan = [batches(lengths, args.tokens, rng, keep_all=False) for _ in range(args.epochs)]
    steps = sum(len(p) for p in plan)
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("span.")]
    optimiser = torch.optim.AdamW([{"params": body, "lr": args.lr},
                                   {"params": list(model.span.parameters()), "lr": args.head_lr}],
                                  weight_decay=0.01)  # fmt: skip
    warmup = max(1, steps // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup)))
    null = sum(1 for i in items if i[2] == 0)
    print(f"{len(items)} examples ({null} without answer), {sum(lengths)} tokens an epoch, {steps} steps, "
          f"ready in {time.time() - started:.0f} s", flush=True)  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    log: dict = {"recipe": {k: str(v) for k, v in vars(args).items()}, "epochs": []}
    step, total = 0, 0.0
    for epoch, order in enumerate(plan):
        for n, batch in enumerate(order):
            with torch.autocast(device, dtype=torch.bfloat16, enabled=bf16(device)):
                logits = model(*padded([(items[i][0], items[i][1]) for i in batch], device))
            starts = torch.tensor([items[i][2] for i in batch], device=device)
            ends = torch.tensor([items[i][3] for i in batch], device=device)
            loss = (nn.functional.cross_entropy(logits[..., 0], starts) + nn.functional.cross_entropy(logits[..., 1], ends)) / 2
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step, total = step + 1, total + loss.item()
            if n % 100 == 0:
                print(f"epoch {epoch} step {step}/{steps} loss {total / (n + 1):.4f} {time.time() - started:.0f} s",
                      flush=True)  # fmt: skip
            if n % 500 == 499:
                save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, str(args.out / "span.safetensors"))
            if args.max_seconds and time.time() - started > args.max_seconds:
                break
        save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, str(args.out / "span.safetensors"))
        figures = held_out_figures(model, tokenizer, articles, device, args.measure_limit)
        log["epochs"].append({"epoch": epoch, "steps": step, "loss": total / (n + 1), **figures,
                              "seconds": round(time.time() - started)})  # fmt: skip
        (args.out / "training.json").write_text(json.dumps(log, indent=1) + "\n")
        print(json.dumps(log["epochs"][-1]), flush=True)
        total = 0.0


if __name__ == "__main__":
    main()
