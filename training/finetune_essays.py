"""Fine-tune the shipped reader on essay pairs (training/essay_pairs.py) mixed with SQuAD training
pairs; write OUT/reader.safetensors and its card (answer line left to calibrate_answers.py --weights).

Experiment E69 (docs/READER.md, 2026-12-06): kept in history only, not shipped.
Usage: python training/finetune_essays.py PAIRS.json OUT [--squad 20000] [--epochs 2] [--repeat 1]
(needs training/cache/reader from training/reader_data.py)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import math
import random
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_reader as tr  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pairs", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--squad", type=int, default=20000, help="SQuAD training pairs mixed in")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--head-lr", type=float, default=2e-4)
    parser.add_argument("--repeat", type=int, default=1, help="times each essay pair is seen per epoch")
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    torch.manual_seed(tr.SEED)
    rng = random.Random(tr.SEED)
    folder, shipped = ROOT / "training" / "cache" / "reader", ROOT / "rag" / "read" / "weights"
    articles = json.loads(lzma.decompress((folder / "articles.json.xz").read_bytes()))
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(tr.MAX_LEN, strategy="only_second")
    tokenizer.no_padding()
    base = json.loads((folder / "base.json").read_text())
    model = tr.Cross(load_file(str(folder / "base.safetensors")), base["layers"])
    model.load_state_dict(tr.state_dict_of(load_file(str(shipped / "reader.safetensors")), base["layers"]), strict=False)
    essay = [(p["question"], p["text"], p["label"]) for p in json.loads(args.pairs.read_text())] * args.repeat
    squad = rng.sample(tr.training_pairs(articles, rng, 0), args.squad)
    pairs = essay + squad
    encoded = tr.encode(tokenizer, [(q, c) for q, c, _ in pairs])
    labels = torch.tensor([y for _, _, y in pairs])
    steps = args.epochs * math.ceil(len(pairs) / args.batch)
    head = list(model.head.parameters())
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    optimiser = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
                                  weight_decay=0.01)  # fmt: skip
    warmup = max(1, steps // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup)))
    device, started = "cpu", time.time()
    print(f"{len(essay)} essay and {len(squad)} SQuAD pairs, {steps} steps", flush=True)
    for epoch in range(args.epochs):
        for n, batch in enumerate(tr.batches(encoded, args.batch, rng)):
            with torch.autocast(device, dtype=torch.bfloat16, enabled=tr.bf16(device)):
                logits = model(*tr.tensors(encoded, batch, device))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), labels[batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            if n % 100 == 0:
                print(f"epoch {epoch} batch {n} loss {loss.item():.4f} {time.time() - started:.0f} s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    weights = args.out / "reader.safetensors"
    save_file(model.shipped(), str(weights))
    card = json.loads((shipped / "reader.json").read_text())
    card["sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    card["trained"] = {"experiment": "E69", "recipe": {k: str(v) for k, v in vars(args).items()}, "after": card["trained"]}
    (args.out / "reader.json").write_text(json.dumps(card, indent=1) + "\n")


if __name__ == "__main__":
    main()
