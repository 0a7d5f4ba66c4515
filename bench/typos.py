"""Answers to misspelt questions: every question of the project's 21 question sets with one typo.

Each question gets one typo (a letter dropped, two swapped, one changed to a keyboard neighbour,
or one doubled) in one of its words of five or more letters, chosen at random with the case's id
as the seed, so every run asks the same misspelt questions. Each set is asked three ways in one
run: spelt as written, misspelt with the spelling corrector (rag/retrieve/spelling.py), and
misspelt without it (``Weights(spelling=False)``, the baseline). Counted: right answers to
answerable questions, and right refusals of the others.

Usage: python bench/typos.py  (after `make test`, which renders blind3's and blind10's essays;
about 10 minutes; rewrites its section of bench/RESULTS.md)
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out" / "typos"
KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SETS = {
    "questions": ("tests/questions.yaml", "seeds"), "dev": ("tests/dev_questions.yaml", "seeds"),
    "fresh": ("tests/fresh_questions.yaml", "seeds"), "blind": ("tests/blind_questions.yaml", "seeds"),
    "sealed": ("tests/sealed_questions.yaml", "seeds"), "blind3": ("tests/blind3/questions.yaml", "index/blind3-essays"),
    "blind10": ("tests/blind10/questions.yaml", "index/blind10-essays"),
    **{name: (f"tests/{name}/questions.yaml", f"tests/{name}/essays") for name in
       [f"blind{n}" for n in (2, 4, 5, 6, 7, 8, 9)] + [f"ablation{n}" for n in range(4, 11)]},
}  # fmt: skip


def misspelt(question: str, seed: str) -> str:
    """``question`` with one typo in one of its words of five or more letters (the same for the same seed)."""
    rng = random.Random(seed)
    words = list(re.finditer(r"[A-Za-z]{5,}", question))
    if not words:
        return question
    match = rng.choice(words)
    word, i = match.group(), rng.randrange(1, len(match.group()) - 1)
    kind = rng.choice(["drop", "swap", "key", "double"])
    if kind == "drop":
        typo = word[:i] + word[i + 1 :]
    elif kind == "swap":
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    elif kind == "key":
        row = next((r for r in KEYS if word[i].lower() in r), "")
        near = [row[j] for j in (row.find(word[i].lower()) - 1, row.find(word[i].lower()) + 1) if row and 0 <= j < len(row)]
        typo = word[:i] + (rng.choice(near) if near else word[i]) + word[i + 1 :]
    else:
        typo = word[:i] + word[i] + word[i:]
    return question[: match.start()] + typo + question[match.end() :]


def counts(report: Any) -> tuple[int, int]:
    """(right answers to answerable cases, right refusals of the others) of an EvalReport."""
    answered = sum(1 for r in report.cases if not r.case.out_of_scope and r.passed)
    refused = sum(1 for r in report.cases if r.case.out_of_scope and r.passed)
    return answered, refused


def main() -> None:
    from bench.results import write_section
    from rag import Retriever
    from rag.eval.questionset import documents_of, load_question_set
    from rag.eval.runner import run_eval

    rows: list[tuple[str, int, dict[str, tuple[int, int]]]] = []
    totals = {"clean": [0, 0], "on": [0, 0], "off": [0, 0]}
    started, changed = time.perf_counter(), 0
    for name, (questions, seeds) in SETS.items():
        retriever = Retriever.open(ROOT / seeds, OUT / f"index-{name}")
        cases = load_question_set(ROOT / questions, documents_of(retriever))
        typed = tuple(replace(c, question=misspelt(c.question, f"typo-{name}-{c.id}")) for c in cases)
        changed += sum(a.question != b.question for a, b in zip(cases, typed, strict=True))
        row = {"clean": counts(run_eval(cases, retriever, name=name)), "on": counts(run_eval(typed, retriever, name=name))}
        retriever.weights = replace(retriever.weights, spelling=False)
        retriever.clear_caches()
        row["off"] = counts(run_eval(typed, retriever, name=name))
        for key, (a, r) in row.items():
            totals[key][0] += a
            totals[key][1] += r
        rows.append((name, len(cases), row))
        print(name, row, flush=True)

    def cell(pair: Sequence[int]) -> str:
        return f"{pair[0]} / {pair[1]}"

    lines = [
        "## Misspelt questions",
        "",
        f"`python bench/typos.py`, run {time.strftime('%Y-%m-%d')} ({time.perf_counter() - started:.0f} s). Each of the "
        f"{sum(n for _, n, _ in rows)} questions of the 21 sets with one typo in one word of 5+ letters ({changed} changed; "
        "seeded by case id). Right answers / right refusals; the baseline is the same misspelt questions without the "
        "spelling corrector, in the same run.",
        "",
        "| set | cases | spelt as written | misspelt, corrected | misspelt, not corrected (baseline) |",
        "|---|---|---|---|---|",
        *(f"| {name} | {n} | {cell(r['clean'])} | {cell(r['on'])} | {cell(r['off'])} |" for name, n, r in rows),
        f"| **all** | {sum(n for _, n, _ in rows)} | {cell(totals['clean'])} | **{cell(totals['on'])}** | {cell(totals['off'])} |",
    ]
    write_section("typos", "\n".join(lines))


if __name__ == "__main__":
    main()
