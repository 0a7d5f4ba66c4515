"""Train the answer-sentence reader on SQuAD v1.1 train and write its weights and figures.

Steps (``make train-reader`` runs them all; the embeddings are cached in training/cache/):
1. every sentence, question and title is embedded (training/encode_squad.py);
2. each question is paired with every sentence of its paragraph and the four sentences of
   other paragraphs of its article that are closest to it: a pair is positive when the
   sentence holds the answer (any occurrence of it). Two sets with no answer teach refusal:
   the same sentences without the answer's, and the sentences of three other articles that
   are closest to the question (off topic);
3. two one-hidden-layer networks are fitted to those pairs (fixed seed): one with binary
   cross-entropy (the refusal probability), one adding a per-question softmax loss (the ranking);
4. on the held-out articles (never trained on), the refusal threshold is calibrated on half
   and every figure is measured on the other half;
5. rag/read/weights/reader.safetensors and reader.json are written (sha256 in the JSON).

Usage: python training/train_reader.py [--epochs 6] [--hidden 64] [--seed 13] [--listwise 1.0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.read.features import SCALARS, WH_TYPES, Candidate, feature_width, features  # noqa: E402
from rag.read.reader import WEIGHTS, Reader  # noqa: E402
from rag.read.squad import Article, calibration_half, load_articles  # noqa: E402
from rag.retrieve.lexical import BM25  # noqa: E402

CACHE = ROOT / "training" / "cache"
OTHER_PARAGRAPHS = 16  # near-miss sentences from the rest of the article, per question
OFF_TOPIC = 24  # sentences of other articles closest to the question, for an off-topic set
# (the product reads about 40 sentences of 5 retrieved passages: sets of this size look alike)


def load_vectors(articles: list[Article]) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], np.ndarray]:
    """Per article: its sentence vectors and question vectors; and the title vectors."""
    ordered = sorted(articles, key=lambda a: not a.held_out)  # the order encode_squad.py wrote
    sentences, questions = np.load(CACHE / "sentences.npy"), np.load(CACHE / "questions.npy")
    s_of, q_of = {}, {}
    s_at = q_at = 0
    for a in ordered:
        s_of[a.index] = sentences[s_at : s_at + len(a.sentences)]
        q_of[a.index] = questions[q_at : q_at + len(a.questions)]
        s_at += len(a.sentences)
        q_at += len(a.questions)
    assert s_at == len(sentences) and q_at == len(questions), "cache does not match the data: re-encode"
    return s_of, q_of, np.load(CACHE / "titles.npy")


def article_candidates(a: Article, vectors: np.ndarray) -> list[Candidate]:
    """Every sentence of an article as a Candidate, with its paragraph neighbours."""
    out = []
    for i, text in enumerate(a.sentences):
        p = a.paragraph_of[i]
        before = i - 1 if i > 0 and a.paragraph_of[i - 1] == p else None
        after = i + 1 if i + 1 < len(a.sentences) and a.paragraph_of[i + 1] == p else None
        context = " ".join(a.sentences[j] for j in (before, after) if j is not None)
        out.append(Candidate(
            text, vectors[i], vectors[before] if before is not None else None,
            vectors[after] if after is not None else None, context, a.title,
        ))  # fmt: skip
    return out


def pairs(a: Article, s_vec: np.ndarray, q_vec: np.ndarray, elsewhere: Callable[[int], tuple[list[Candidate], dict]],
          lexicon: dict[str, np.ndarray]) -> tuple[list[dict], list[dict], list[dict]]:
    """Per question, three candidate sets with labels: its paragraph plus the near-miss
    sentences of its article; the same without the answer's sentences (nothing there answers);
    and a paragraph of another article (off topic)."""
    cands = article_candidates(a, s_vec)
    idf = BM25(a.sentences).idf
    rows = np.arange(len(a.sentences))
    para = np.asarray(a.paragraph_of)
    full, missing, off = [], [], []
    for qi, q in enumerate(a.questions):
        own = rows[para == q.paragraph]
        others = rows[para != q.paragraph]
        near = others[np.argsort(-(s_vec[others] @ q_vec[qi]))[:OTHER_PARAGRAPHS]] if len(others) else others
        chosen = np.concatenate([own, near])
        for picked, into in ((chosen, full), (np.setdiff1d(chosen, q.positives), missing)):
            x = features(q.text, q_vec[qi], [cands[r] for r in picked], idf, lexicon)
            into.append({"x": x, "y": np.isin(picked, q.positives).astype(np.float32), "own": np.isin(picked, own),
                         "cos": s_vec[picked] @ q_vec[qi], "lex": BM25([a.sentences[r] for r in picked]).scores(q.text)})  # fmt: skip
        strangers, their_idf = elsewhere(a.index * 1000 + qi)
        strangers = sorted(strangers, key=lambda c: -float(c.vector @ q_vec[qi]))[:OFF_TOPIC]
        x = features(q.text, q_vec[qi], strangers, their_idf, lexicon)
        off.append({"x": x, "y": np.zeros(len(x), np.float32), "own": np.ones(len(x), bool),
                    "cos": np.array([c.vector @ q_vec[qi] for c in strangers]), "lex": np.zeros(len(x))})  # fmt: skip
    return full, missing, off


def pairs_version() -> str:
    """A hash of the code that makes the candidate sets (the features and this file's pair
    builders): a change to it rebuilds the cached sets, a change to the fitting does not."""
    import inspect

    code = [inspect.getsource(f) for f in (article_candidates, pairs, build)] + [f"{OTHER_PARAGRAPHS} {OFF_TOPIC}"]
    features_py = (ROOT / "rag" / "read" / "features.py").read_bytes()
    return hashlib.sha256(features_py + "".join(code).encode()).hexdigest()[:12]


def build(articles: list[Article], s_of: dict, q_of: dict, held_out: bool) -> tuple[list[dict], ...]:
    """The answerable, near-miss and off-topic candidate sets of every training (or held-out)
    question, cached per version of the features and of this script."""
    t = time.time()
    version = pairs_version()
    keys = ("x", "y", "own", "cos", "lex")
    kinds = ("full", "miss", "off")
    paths = [CACHE / f"pairs-{'held' if held_out else 'train'}-{kind}-{version}.npz" for kind in kinds]
    if all(p.exists() for p in paths):
        sets = []
        for path in paths:
            z = np.load(path)
            parts = {k: np.split(z[k], np.cumsum(z["sizes"])[:-1]) for k in keys}
            sets.append([{k: parts[k][i] for k in keys} for i in range(len(z["sizes"]))])
    else:
        pool = [a for a in articles if a.held_out == held_out]
        every = {a.index: (article_candidates(a, s_of[a.index]), BM25(a.sentences).idf) for a in pool}

        def elsewhere(seed: int) -> tuple[list[Candidate], dict]:
            """Every sentence of three other articles, and the first one's idf."""
            rng = np.random.default_rng(seed)
            picks = [pool[int(i)] for i in rng.choice(len(pool), 4, replace=False) if pool[int(i)].index != seed // 1000]
            return [c for other in picks[:3] for c in every[other.index][0]], every[picks[0].index][1]

        words = json.loads((CACHE / "terms.json").read_text(encoding="utf-8"))
        lexicon = dict(zip(words, np.load(CACHE / "terms.npy"), strict=True))
        sets = [[], [], []]
        for a in pool:
            for into, got in zip(sets, pairs(a, s_of[a.index], q_of[a.index], elsewhere, lexicon), strict=True):
                into += got
        for path, groups in zip(paths, sets, strict=True):
            np.savez(path, sizes=np.array([len(g["y"]) for g in groups]),
                     **{k: np.concatenate([g[k] for g in groups]) for k in keys})  # fmt: skip
    print(f"{'held-out' if held_out else 'train'}: {len(sets[0])} questions, "
          f"{sum(len(g['y']) for g in sets[0])} pairs in {time.time() - t:.0f}s", flush=True)  # fmt: skip
    return tuple(sets)


def fit(groups: list[dict], hidden: int, epochs: int, seed: int, listwise: float = 0.0) -> dict[str, np.ndarray]:
    """The network's weights (with the feature standardisation folded into named arrays).

    The first network is trained with binary cross-entropy on every pair alone: its probability
    is the calibrated refusal score. With ``listwise`` > 0 a second network ranks: binary
    cross-entropy plus ``listwise`` times the softmax cross-entropy of each answerable
    question's candidate set, which makes the answer outrank its neighbours but blurs the
    probability a refusal needs (even on a shared hidden layer, see docs/READER.md). The two are
    packed as one wider hidden layer with one output each. Batches hold whole candidate sets,
    about 512 pairs each.
    """
    import torch

    torch.manual_seed(seed)
    x = np.concatenate([g["x"] for g in groups])
    y = np.concatenate([g["y"] for g in groups])
    sizes = np.array([len(g["y"]) for g in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    mean, std = x.mean(0), x.std(0) + 1e-6
    xt = torch.from_numpy((x - mean) / std)
    yt = torch.from_numpy(y)
    nets = [torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Dropout(0.1),
                                torch.nn.Linear(hidden, 1)) for _ in range(2 if listwise else 1)]  # fmt: skip
    opt = torch.optim.AdamW([p for net in nets for p in net.parameters()], lr=1e-3, weight_decay=1e-4)
    gen = torch.Generator().manual_seed(seed)
    per_batch = max(1, int(512 / max(1.0, float(sizes.mean()))))
    steps = epochs * ((len(groups) + per_batch - 1) // per_batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for epoch in range(epochs):
        t, total = time.time(), 0.0
        for net in nets:
            net.train()
        for chosen in torch.randperm(len(groups), generator=gen).split(per_batch):
            picked = chosen.numpy()
            idx = torch.from_numpy(np.concatenate([np.arange(starts[i], starts[i] + sizes[i]) for i in picked]))
            owner = torch.from_numpy(np.repeat(np.arange(len(picked)), sizes[picked]))
            opt.zero_grad()
            labels = yt[idx]
            loss = torch.zeros(())
            for i, net in enumerate(nets):
                logits = net(xt[idx]).squeeze(1)
                loss = loss + loss_fn(logits, labels)
                if i:
                    loss = loss + listwise * _softmax_loss(logits, labels, owner, len(picked))
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(picked)
        print(f"epoch {epoch + 1}: loss {total / len(groups):.4f} ({time.time() - t:.0f}s)", flush=True)
    w2 = np.zeros((hidden * len(nets), len(nets)), np.float32)  # block-diagonal: each output reads its own units
    for i, net in enumerate(nets):
        net.eval()
        w2[i * hidden : (i + 1) * hidden, i] = net[3].weight.detach().numpy()[0]
    return {
        "mean": mean.astype(np.float32), "std": std.astype(np.float32),
        # C order: safetensors writes the raw buffer, and a concatenation of transposes is Fortran-ordered
        "w1": np.ascontiguousarray(np.concatenate([net[0].weight.detach().numpy().T for net in nets], axis=1)),
        "b1": np.concatenate([net[0].bias.detach().numpy() for net in nets]),
        "w2": w2, "b2": np.concatenate([net[3].bias.detach().numpy() for net in nets]),
    }  # fmt: skip


def _softmax_loss(logits, labels, owner, count: int):  # type: ignore[no-untyped-def]
    """Mean over the sets holding an answer of -log(softmax mass on the answer's sentences)."""
    import torch

    def logsumexp(values):  # type: ignore[no-untyped-def]
        top = torch.full((count,), -1e9).scatter_reduce(0, owner, values, reduce="amax")
        summed = torch.zeros(count).index_add(0, owner, torch.exp(values - top[owner]))
        return torch.log(summed.clamp_min(1e-30)) + top

    every = logsumexp(logits)
    answers = logsumexp(torch.where(labels > 0, logits, torch.full_like(logits, -1e9)))
    has = torch.zeros(count).index_add(0, owner, labels) > 0
    return (every - answers)[has].mean() if bool(has.any()) else logits.sum() * 0.0


def measure(reader: Reader, full: list[dict], missing: list[dict], off: list[dict], threshold: float
            ) -> dict[str, float]:
    """Top-1 in the gold paragraph for cosine, cosine+BM25 and the reader; refusal figures:
    answerable questions refused (false refusals), near-miss and off-topic questions refused."""
    top_cos = top_mix = top_reader = 0
    for g in full:
        y, o = g["y"], np.flatnonzero(g["own"])
        p = reader.preferences(g["x"])
        top_cos += y[o[np.argmax(g["cos"][o])]] > 0
        lex = g["lex"][o] / (g["lex"][o].max() or 1.0)
        top_mix += y[o[np.argmax(g["cos"][o] + 0.3 * lex)]] > 0
        top_reader += y[o[np.argmax(p[o])]] > 0
    n = len(full)
    out = {
        "questions": n, "top1_cosine": top_cos / n, "top1_cosine_bm25": top_mix / n, "top1_reader": top_reader / n,
        "false_refusal": float(np.mean(best(reader, full) < threshold)),
        "near_miss_refused": float(np.mean(best(reader, missing) < threshold)),
        "off_topic_refused": float(np.mean(best(reader, off) < threshold)),
    }  # fmt: skip
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def best(reader: Reader, groups: list[dict]) -> np.ndarray:
    """The highest probability among each question's candidates."""
    return np.array([reader.probabilities(g["x"]).max() if len(g["y"]) else 0.0 for g in groups])


def calibrate(reader: Reader, groups: list[dict], false_refusal: float = 0.05) -> float:
    """The threshold below which the best candidate's probability refuses: it refuses
    ``false_refusal`` of answerable questions (their answer is among the candidates)."""
    return float(np.quantile(best(reader, groups), false_refusal))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--near-miss-every", type=int, default=3, help="train on every Nth near-miss/off-topic set")
    parser.add_argument("--listwise", type=float, default=1.0,
                        help="weight of the ranking network's per-question softmax loss (0: no ranking network)")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    articles = load_articles()
    s_of, q_of, _ = load_vectors(articles)
    held, held_missing, held_off = build(articles, s_of, q_of, held_out=True)
    train, train_missing, train_off = build(articles, s_of, q_of, held_out=False)
    every = args.near_miss_every
    weights = fit(train + train_missing[::every] + train_off[::every], args.hidden, args.epochs, args.seed, args.listwise)
    reader = Reader(weights, threshold=0.5)
    calib_set = calibration_half(articles)
    owner = [a.index in calib_set for a in articles if a.held_out for _ in a.questions]

    def part(groups: list[dict], calibration: bool) -> list[dict]:
        return [g for g, c in zip(groups, owner, strict=True) if c == calibration]

    threshold = calibrate(reader, part(held, True))
    figures = {
        "test": measure(reader, part(held, False), part(held_missing, False), part(held_off, False), threshold),
        "calibration": measure(reader, part(held, True), part(held_missing, True), part(held_off, True), threshold),
        "train_sample": measure(reader, train[::20], train_missing[::20], train_off[::20], threshold),
    }
    print(json.dumps(figures, indent=2), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from safetensors.numpy import save_file

    save_file(weights, str(args.out))
    meta = {
        "format": 1,
        "features": {"width": feature_width(), "scalars": list(SCALARS), "wh_types": list(WH_TYPES)},
        "threshold": round(threshold, 6),
        "training": {"data": "SQuAD v1.1 train (CC BY-SA 4.0)", "held_out": "article index % 9 == 4",
                     "epochs": args.epochs, "hidden": args.hidden, "seed": args.seed, "listwise": args.listwise,
                     "other_paragraph_sentences": OTHER_PARAGRAPHS, "near_miss_every": args.near_miss_every},  # fmt: skip
        "figures": figures,
        "sha256": hashlib.sha256(args.out.read_bytes()).hexdigest(),
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB), threshold {threshold:.3f}")


if __name__ == "__main__":
    main()
