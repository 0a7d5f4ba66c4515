"""Rebuild after one essay changed: an earlier commit's build against this tree's, on the same index.

The corpus is bench/scale.py's (SQuAD paragraphs grouped into essays of about 5,000 characters).
Its index is built once and copied, one copy for the code at BEFORE (a `git worktree`, run in a
child process) and one for this tree's, each first rebuilt once untimed by its own code (as a
user's index was last written by the version they run). Then each round appends a distinct
sentence to the first essay and both rebuild their own copy. Wall time of each child process,
imports included, as a user's `rag index` would take.

    .venv/bin/python bench/rebuild.py [--essays 1000] [--rounds 2] [--before COMMIT]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "rebuild"
BEFORE = "9117c6d"  # the last commit that re-split every essay and loaded torch for any rebuild
BUILD = (
    "import sys, time; t = time.perf_counter(); from rag.index.build import build_index; "
    "from rag.settings import settings_from_env; build_index({seeds!r}, {index!r}, settings_from_env()); "
    "print('torch' in sys.modules)"
)


def rebuild(code_path: str, seeds: Path, index: Path) -> tuple[float, bool]:
    """Wall seconds of a child process that rebuilds ``index`` with the code at ``code_path``; torch imported?"""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", BUILD.format(seeds=str(seeds), index=str(index))], cwd=code_path,
                          env={**os.environ, "PYTHONPATH": code_path}, capture_output=True, text=True, check=True)  # fmt: skip
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1] == "True"


def main() -> None:
    from bench.checkout import checkout
    from bench.results import write_section
    from bench.scale import write_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default=BEFORE)
    args = parser.parse_args()
    seeds, index = OUT / f"essays-{args.essays}", OUT / f"index-{args.essays}"
    if not seeds.is_dir():
        write_corpus(args.essays, seeds)
    before = checkout(args.before, OUT)
    built = ""
    if not (index / "manifest.json").exists():  # kept between runs: a build from scratch is long
        built = f" The build from scratch took {rebuild(str(ROOT), seeds, index)[0]:.0f} s in the same run."
    code = {"before": before, "after": str(ROOT)}
    indexes = {"before": index.with_name(index.name + "-before"), "after": index}
    shutil.rmtree(indexes["before"], ignore_errors=True)
    shutil.copytree(index, indexes["before"])
    for name in code:  # untimed: each index is then one its own code wrote
        rebuild(code[name], seeds, indexes[name])
    first = sorted(seeds.glob("*.md"))[0]
    times: dict[str, list[float]] = {"before": [], "after": []}
    torch: dict[str, bool] = {}
    for i in range(args.rounds):
        first.write_text(first.read_text(encoding="utf-8") + f"\nA sentence added in round {i}.\n", encoding="utf-8")
        for name in code:
            seconds, torch[name] = rebuild(code[name], seeds, indexes[name])
            times[name].append(seconds)
            print(name, f"{seconds:.1f} s", flush=True)
    b, a = statistics.median(times["before"]), statistics.median(times["after"])
    write_section("rebuild", "\n".join([
        "## Rebuild after one essay changed",
        "",
        f"`python bench/rebuild.py --essays {args.essays}`, run {time.strftime('%Y-%m-%d')} (2 cores, 24 GiB). "
        f"{args.essays} essays of bench/scale.py's corpus; a",
        "sentence is appended to one essay, then the code at "
        f"`{args.before}` (before) and this tree (after) each rebuild their own copy of the same index",
        f"(last written by that code), {args.rounds} rounds.",
        "",
        "| | rebuild, median (s) | runs (s) | torch imported |",
        "|---|---|---|---|",
        f"| before (`{args.before}`: re-splits every essay, loads torch) | {b:.1f} | "
        + ", ".join(f"{t:.1f}" for t in times["before"]) + f" | {torch['before']} |",
        "| after (unchanged files keep their chunks, sentences and term counts; a small change is embedded "
        "without torch) | "
        f"{a:.1f} | " + ", ".join(f"{t:.1f}" for t in times["after"]) + f" | {torch['after']} |",
        "",
        f"After / before: **{a / b:.2f}×**.{built}",
    ]))  # fmt: skip


if __name__ == "__main__":
    main()
