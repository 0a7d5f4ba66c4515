"""Mine what the product makes the reader read: the candidate sentences of training questions.

The reader is trained on a question's own paragraph and a few other sentences of its article;
in the product it reads the five sentences that retrieval and the rule score bring from a whole
folder, often about another person or event worded like the question ("When was Rabin
assassinated?" against "The eunuchs assassinated He Jin on September 22, 189 AD."). This script
writes the training articles (never the held-out ones) as a folder of essays, with some
questions' answer sentences deleted (near misses, as ``write_corpus`` makes them), indexes it,
and for every plain question records the sentences the product's reader would read, each as the
reader reads it and whether it holds the answer. ``train_reader.py --product FILE`` trains on them.

Usage: python training/product_pairs.py [OUT] [--per-article 60] [--near-miss 12]
       (OUT: a scratch folder, default training/cache/product; writes OUT/pairs.json.xz)
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Retriever  # noqa: E402
from rag.answer.assistant import Assistant, check_question  # noqa: E402
from rag.answer.evidence import gather, reads_plainly  # noqa: E402
from rag.answer.intent import read_intent  # noqa: E402
from rag.read.reader import Reader  # noqa: E402
from rag.read.squad import collapse, essay_name, load_articles, write_corpus  # noqa: E402


class _Listening:
    """Stands in for the reader: remembers the texts it is asked to read, gives each probability 0."""

    threshold = answer_threshold = 0.0

    def __init__(self) -> None:
        self.texts: list[str] = []

    def probabilities(self, question: str, texts: list[str], batch_size: int = 16) -> np.ndarray:
        self.texts = list(texts)
        return np.zeros(len(texts), np.float32)

    def ranking(self, probability: np.ndarray, place: np.ndarray) -> np.ndarray:
        return probability


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "training" / "cache" / "product")
    parser.add_argument("--per-article", type=int, default=60, help="answerable questions asked per article")
    parser.add_argument("--near-miss", type=int, default=12, help="questions per article whose answer is deleted")
    args = parser.parse_args()
    started = time.time()
    articles = load_articles()
    train = [a for a in articles if not a.held_out]
    titles = {essay_name(a): a.title for a in train}
    questions = write_corpus(train, args.out / "seeds", args.per_article, args.near_miss, seed=11)
    retriever = Retriever.open(args.out / "seeds", args.out / "index")
    print(f"{len(questions)} questions, index ready in {time.time() - started:.0f} s", flush=True)
    listening = _Listening()
    k = Assistant(retriever, reader=Reader.load()).k
    rows = []
    for n, q in enumerate(questions):
        text = check_question(q.text)
        intent = read_intent(text)
        if not reads_plainly(intent):
            continue
        query = retriever.expand(text)
        listening.texts = []
        gather(retriever, listening, [query], retriever.search(query, k=k), intent, query)  # type: ignore[arg-type]
        answer = collapse(q.answer)
        rows.append({"title": titles[q.source], "question": q.text,
                     "answerable": q.answerable, "read": [[t, answer in collapse(t)] for t in listening.texts]})
        if n % 2000 == 0:
            print(f"{n}/{len(questions)} asked, {time.time() - started:.0f} s", flush=True)
    (args.out / "pairs.json.xz").write_bytes(lzma.compress(json.dumps(rows).encode("utf-8")))
    read = [r for r in rows if r["answerable"]]
    print(f"{len(rows)} questions read ({len(rows) - len(read)} near misses); the answer among the read: "
          f"{np.mean([any(h for _, h in r['read']) for r in read]):.3f}; {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
