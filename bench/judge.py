"""Judge a change before it ships: the cases it gains and loses against a base commit, counts only.

A pre-registered rule (docs/READER.md, E71 to E81) ships only when it gains at least two more judged
cases than it loses. This runs that comparison: the working tree (or ``--variant COMMIT``) against
BASE, each checked out with `git worktree` and run in a child process, on the SQuAD sample (12
held-out test-half articles written as a folder of essays, 20 answerable questions and 6 near
misses each) and on the judge sets (bench/reader.py's JUDGES). It prints how many cases each side
gets right and how many the variant gains and loses, never a case, so the judges stay unread.

Several variants (``--variant A B C``) are judged against one run of BASE.

Usage: python bench/judge.py BASE [--variant COMMIT ...] [--sets ablation11 ablation12 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

OUT = ROOT / "bench" / "out" / "judge"
ARTICLES, PER_ARTICLE, NEAR_MISS = 12, 20, 6  # the SQuAD sample: 312 questions
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
# run in the child, with the tree's own rag: each SQuAD question right (a near miss refused, else a
# first quote holding the answer) or not
SQUAD_CHILD = """
import json, sys
from rag import Assistant, Retriever
from rag.read.squad import collapse
cases = json.load(open(sys.argv[3]))
assistant = Assistant(Retriever.open(sys.argv[1], sys.argv[2]))
right = []
for case in cases:
    answer = assistant.ask(case["question"])
    first = answer.citations[0].quote if answer.citations and not answer.refused else ""
    right.append(answer.refused if case["near_miss"] else collapse(case["answer"]) in collapse(first))
print(json.dumps(right))
"""
EVAL_CHILD = "import sys; from rag.cli import main; sys.argv[0] = 'rag'; sys.exit(main())"


def squad_sample() -> tuple[Path, Path]:
    """The SQuAD sample's essays folder and its questions (JSON), written once."""
    from rag.read.squad import held_out_test_half, load_articles, write_corpus

    seeds, cases = OUT / "squad-seeds", OUT / "squad-cases.json"
    if not cases.exists():
        articles = held_out_test_half(load_articles())[:ARTICLES]
        questions = write_corpus(articles, seeds, PER_ARTICLE, NEAR_MISS)
        rows = [{"question": q.text, "answer": q.answer, "near_miss": not q.answerable} for q in questions]
        cases.write_text(json.dumps(rows))
    return seeds, cases


def right_cases(tree: str, tag: str, name: str) -> list[bool]:
    """Whether the code at ``tree`` gets each case of set ``name`` ("squad" or a tests/ folder) right."""
    env = {**ENV, "PYTHONPATH": tree}
    if name == "squad":
        seeds, cases = squad_sample()
        index = OUT / f"index-{tag}-squad"
        command = [sys.executable, "-c", SQUAD_CHILD, str(seeds), str(index), str(cases)]
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=True)
        return [bool(r) for r in json.loads(done.stdout.strip().splitlines()[-1])]
    report = OUT / f"{tag}-{name}.json"
    index = OUT / f"index-{tag}-{name}"
    sets = ROOT / "tests" / name  # the judge set as it is now: a set newer than the commit judges it too
    command = [sys.executable, "-c", EVAL_CHILD, "-q", "eval", str(sets / "questions.yaml"),
               "--seeds-dir", str(sets / "essays"), "--index-dir", str(index), "--json", str(report)]
    report.unlink(missing_ok=True)
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1) or not report.exists():  # 1: a floor or the baseline; none is given here
        raise SystemExit(f"rag eval failed in {tree}: {done.stderr.strip().splitlines()[-1:]}")
    return [bool(c["passed"]) for c in json.loads(report.read_text())["cases"]]


def _commit(name: str) -> str:
    """The short hash that ``name`` (a branch, a tag, "HEAD~2") names now."""
    command = ["git", "rev-parse", "--short", name]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    from bench.checkout import checkout
    from bench.reader import JUDGES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the commit the change is judged against")
    parser.add_argument("--variant", nargs="*", default=[], help="commits to judge (default: the working tree)")
    parser.add_argument("--sets", nargs="*", default=list(JUDGES), help="tests/ folders besides SQuAD")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    base = _commit(args.base)  # "HEAD" moves, a hash not
    variants = {f"variant-{c}": checkout(c, OUT) for c in map(_commit, args.variant)} or {"variant-tree": str(ROOT)}
    base_tree = checkout(base, OUT)
    totals = dict.fromkeys(variants, (0, 0))
    for name in ["squad", *args.sets]:
        before = right_cases(base_tree, f"base-{base}", name)
        line = f"{name}: base {sum(before)}/{len(before)}"
        for tag, tree in variants.items():
            after = right_cases(tree, tag, name)
            plus = sum(a and not b for b, a in zip(before, after, strict=True))
            minus = sum(b and not a for b, a in zip(before, after, strict=True))
            totals[tag] = (totals[tag][0] + plus, totals[tag][1] + minus)
            line += f"; {tag.removeprefix('variant-')} {sum(after)}/{len(after)}: +{plus}/-{minus}"
        print(line, flush=True)
    for tag, (gained, lost) in totals.items():
        print(f"judged {tag.removeprefix('variant-')}: +{gained}/-{lost} (a rule ships at +2 net or more)")


if __name__ == "__main__":
    main()
