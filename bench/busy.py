"""Warm question latency on a busy machine: numpy's BLAS bounded to one thread (the default)
against two (numpy's own default on 2 cores), each with and without a CPU-bound neighbour.

Each setting runs in its own process (the bound is per process), loads the same index and asks
the same distinct questions of `search` and of `Assistant.ask`, so no answer comes from a cache.
The neighbour is one busy Python loop, such as a second user's index build or a browser tab.
Usage: python bench/busy.py [--questions 60]   (rewrites its section of bench/RESULTS.md)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

CHILD = """
import json, statistics, sys, time
from rag import Assistant, Retriever
from rag.eval.questionset import load_question_set
index, count = sys.argv[1], int(sys.argv[2])
questions = []
for name in ("questions", "dev_questions", "fresh_questions"):
    questions += [c.question for c in load_question_set("tests/" + name + ".yaml")]
questions = list(dict.fromkeys(questions))[: 2 * count]
retriever = Retriever.load(index)
assistant = Assistant(retriever)
retriever.search("warm up", k=5)
def p(values):
    values = sorted(values)
    return {"p50": statistics.median(values), "p95": values[int(0.95 * (len(values) - 1))]}
search, ask = [], []
for q in questions[:count]:
    t = time.perf_counter(); retriever.search(q, k=5); search.append((time.perf_counter() - t) * 1000)
for q in questions[count:]:
    t = time.perf_counter(); assistant.ask(q); ask.append((time.perf_counter() - t) * 1000)
print(json.dumps({"search": p(search), "ask": p(ask), "questions": len(search) + len(ask)}))
"""


def measure(index: Path, threads: int, neighbour: bool, count: int) -> dict:
    """One child process's latencies, with RAG_QUERY_BLAS_THREADS=threads."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_QUERY_BLAS_THREADS": str(threads)}
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if neighbour else None
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(index), str(count)], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True)  # fmt: skip
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=60, help="distinct questions per call (search; as many for ask)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from rag import Retriever

        Retriever.build(ROOT / "seeds", Path(tmp) / "index")
        rows = {}
        for neighbour in (False, True):
            for threads in (2, 1):
                rows[(neighbour, threads)] = measure(Path(tmp) / "index", threads, neighbour, args.questions)
                print(neighbour, threads, rows[(neighbour, threads)], flush=True)
    lines = [
        "## Busy machine: question latency with a CPU-bound neighbour",
        "",
        f"`python bench/busy.py --questions {args.questions}`, run {time.strftime('%Y-%m-%d')} on 2 cores / 24 GiB,",
        f"CPU only. Each row is one process asking {args.questions} distinct questions of `search` and {args.questions}",
        "others of `Assistant.ask` on the seed essays' index. Ratio = bounded ÷ unbounded, same run.",
        "",
        "| machine | measure | BLAS 2 threads (numpy's default) | BLAS 1 thread (ours) | ratio |",
        "|---|---|---|---|---|",
    ]
    for neighbour in (False, True):
        label = "one busy neighbour process" if neighbour else "idle"
        for kind in ("search", "ask"):
            for q in ("p50", "p95"):
                two, one = rows[(neighbour, 2)][kind][q], rows[(neighbour, 1)][kind][q]
                lines.append(f"| {label} | warm `{kind}` {q} | {two:.0f} ms | {one:.0f} ms | {one / two:.2f} |")
    write_section("busy", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
