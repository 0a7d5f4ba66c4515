"""Candidate sets built the way the product builds them: SQuAD articles indexed as essays.

What ``Assistant.ask`` reads is about 40 sentences of the 5 passages the retriever finds, with
the index's own idf and word vectors. Here groups of articles are written out as essays and
indexed; each question is searched and the sentences of its passages are read by
``rag.answer.evidence.read_features``, exactly as the product reads them. A sentence holding
the answer is positive. Two sets hold no answer: the same set read as if the essay lacked the
answer's sentences (a near miss: no candidate keeps one as its neighbour), and, for every
fourth question, the set another group's index retrieves (off topic). Training articles give
training sets; the calibration half of the held-out articles gives sets to set a refusal
threshold on. ``load_sets`` returns them as the groups ``train_reader.fit`` takes.

Not yet part of ``make train-reader``: a reader trained and calibrated on these sets alone
refused twice the near misses but too many essay questions (docs/READER.md, "What was tried").

Writes training/cache/product/<part>-<version>-<group>.npz, one per group (a stopped run resumes).
Usage: python training/product_sets.py [--every 4] [--group 12] [--per-article 80]
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import logging
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Retriever  # noqa: E402
from rag.answer import evidence  # noqa: E402
from rag.read.squad import Article, calibration_half, essay_name, load_articles, write_corpus  # noqa: E402

CACHE = ROOT / "training" / "cache" / "product"
K = 5  # passages searched per question, as Assistant.ask does for a plain question
OFF_TOPIC_EVERY = 4  # every 4th question is also asked of another group's articles


def version() -> str:
    """A hash of the code that decides what the reader sees: a change to it rebuilds the sets."""
    code = [inspect.getsource(f) for f in (evidence.candidate, evidence.candidate_rows, evidence.quotable,
                                           evidence.read_features, question_sets)]  # fmt: skip
    features_py = (ROOT / "rag" / "read" / "features.py").read_bytes()
    settings = f"{K} {OFF_TOPIC_EVERY}".encode()
    return hashlib.sha256(features_py + "".join(code).encode() + settings).hexdigest()[:12]


def question_sets(
    retriever: Retriever, article: Article, per_article: int, stranger: Retriever | None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each question of ``article`` (up to ``per_article``): the product's candidate set
    (features, labels); when the answer was among them, the same set without it (a near miss);
    and for every OFF_TOPIC_EVERY-th question, the set ``stranger`` (an index of other articles)
    retrieves for it (off topic). Near misses and off-topic sets hold no answer."""
    source = essay_name(article)
    own_rows = [r for r, s in enumerate(retriever.sentences) if s.source == source]
    out = []
    for n, q in enumerate(article.questions[:per_article]):
        query = retriever.expand(q.text)
        rows = list(evidence.candidate_rows(retriever, retriever.search(query, k=K)))
        if not rows:
            continue
        qv = retriever.embed_query(query)
        gold = {article.sentences[i] for i in q.positives}
        y = np.array([retriever.sentences[r].source == source and retriever.sentences[r].text in gold for r in rows],
                     np.float32)  # fmt: skip
        out.append((evidence.read_features(retriever, [query], qv[None], rows)[0], y))
        # the near miss reads as if the essay lacked the answer's sentences: no candidate keeps
        # one as its neighbour (a neighbour holding the answer gives a near miss away)
        deleted = frozenset(r for r in own_rows if retriever.sentences[r].text in gold)
        kept = [r for r in rows if r not in deleted]
        if y.any() and kept:
            x = evidence.read_features(retriever, [query], qv[None], kept, deleted)[0]
            out.append((x, np.zeros(len(kept), np.float32)))
        if stranger is not None and n % OFF_TOPIC_EVERY == 0:
            far = list(evidence.candidate_rows(stranger, stranger.search(stranger.expand(q.text), k=K)))
            if far:
                x = evidence.read_features(stranger, [query], stranger.embed_query(query)[None], far)[0]
                out.append((x, np.full(len(far), -1.0, np.float32)))  # -1: off topic (no answer)
    return out


def build_part(part: str, articles: list[Article], group: int, per_article: int) -> list[Path]:
    """Every group of ``articles`` indexed and read; one cached file of sets per group. Each
    group's off-topic questions are asked of the next group's index."""
    CACHE.mkdir(parents=True, exist_ok=True)
    v = version()
    chunks = [articles[begin : begin + group] for begin in range(0, len(articles), group)]
    works = [CACHE / "work" / f"{part}-{g:03d}" for g in range(len(chunks))]
    paths = [CACHE / f"{part}-{v}-{g:03d}.npz" for g in range(len(chunks))]
    for chunk, work in zip(chunks, works, strict=True):
        write_corpus(chunk, work / "seeds", per_article=0, near_miss=0)
        Retriever.open(work / "seeds", work / "index")  # built once; reused when the sets change
    for g, (chunk, work, path) in enumerate(zip(chunks, works, paths, strict=True)):
        if path.exists():
            continue
        t = time.time()
        retriever = Retriever.open(work / "seeds", work / "index")
        other = works[(g + 1) % len(works)]  # a single group has no other: no off-topic sets
        stranger = Retriever.open(other / "seeds", other / "index") if other != work else None
        sets = [s for a in chunk for s in question_sets(retriever, a, per_article, stranger)]
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, x=np.concatenate([x for x, _ in sets]), y=np.concatenate([y for _, y in sets]),
                 sizes=np.array([len(y) for _, y in sets]))  # fmt: skip
        tmp.rename(path)
        print(f"{part} group {g + 1}: {len(chunk)} articles, {len(sets)} sets in {time.time() - t:.0f}s", flush=True)
    return paths


def load_sets(paths: list[Path]) -> list[dict[str, np.ndarray | str]]:
    """The candidate sets in ``paths`` as groups for train_reader.fit ({"x", "y"} per set), each
    with its "kind": 'answerable' (the answer is among the candidates), 'near-miss' (the set
    after an answerable one: the same without the answer), 'off-topic' (another index's set)
    or 'not-found' (search missed the answer)."""
    groups: list[dict[str, np.ndarray | str]] = []
    for path in paths:
        z = np.load(path)
        bounds = np.cumsum(z["sizes"])[:-1]
        for x, y in zip(np.split(z["x"], bounds), np.split(z["y"], bounds), strict=True):
            after_answer = bool(groups) and groups[-1]["kind"] == "answerable"
            kind = ("off-topic" if (y < 0).any() else "answerable" if y.any() else
                    "near-miss" if after_answer else "not-found")  # fmt: skip
            groups.append({"x": x, "y": np.maximum(y, 0.0), "kind": kind})
    return groups


def part_paths(part: str) -> list[Path]:
    """The cached files of one part ('train' or 'calibration') at the current version."""
    return sorted(CACHE.glob(f"{part}-{version()}-[0-9][0-9][0-9].npz"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=4, help="index every Nth training article")
    parser.add_argument("--group", type=int, default=12, help="articles per indexed folder (the benchmark's size)")
    parser.add_argument("--per-article", type=int, default=80, help="questions asked per article")
    args = parser.parse_args()
    logging.getLogger("rag").setLevel(logging.WARNING)
    articles = load_articles()
    calibration = calibration_half(articles)
    build_part("calibration", [a for a in articles if a.index in calibration], args.group, args.per_article)
    build_part("train", [a for a in articles if not a.held_out][:: args.every], args.group, args.per_article)


if __name__ == "__main__":
    main()
